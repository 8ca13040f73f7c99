package ai.aicrypto.plaza.chain.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import ai.aicrypto.plaza.chain.Chain;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the addresses that contracts/scripts/deploy.js wrote. */
final class Deployment {

    private Deployment() {
    }

    static Optional<Chain.Contracts> read(Path file, long expectedChainId, JsonMapper json) {
        if (file == null || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode d = json.readTree(Files.readString(file));
            long chainId = d.path("chainId").asLong();
            if (chainId != expectedChainId) {
                throw new IllegalStateException(file + " is a deployment on chain " + chainId + ", but plaza.chain.chain-id is " + expectedChainId);
            }
            return Optional.of(new Chain.Contracts(chainId, address(d, "AICToken", file), address(d, "AssetRegistry", file),
                    address(d, "Marketplace", file), optionalAddress(d, "JobEscrow", file),
                    optionalAddress(d, "CompetitionEscrow", file), optionalAddress(d, "UsageCredit", file),
                    optionalAddress(d, "RewardsDistributor", file), optionalAddress(d, "BountyEscrow", file), d.path("deployedAtBlock").asLong(0)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chain deployment " + file, e);
        }
    }

    /** Null when the deployment predates the contract. */
    private static String optionalAddress(JsonNode d, String name, Path file) {
        return d.has(name) ? address(d, name, file) : null;
    }

    private static String address(JsonNode d, String name, Path file) {
        String a = d.path(name).asString("");
        if (!a.matches("0x[0-9a-fA-F]{40}")) {
            throw new IllegalStateException(file + " has no address for " + name);
        }
        return a.toLowerCase(Locale.ROOT);
    }
}
