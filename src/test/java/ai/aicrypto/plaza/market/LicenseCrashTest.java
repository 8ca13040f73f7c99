package ai.aicrypto.plaza.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import ai.aicrypto.plaza.chain.contracts.Marketplace;
import ai.aicrypto.plaza.support.AppProcess;
import ai.aicrypto.plaza.support.TestChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.utils.Numeric;

/**
 * Kill -9 the app at any moment, restart it: every purchase made on-chain ends in exactly one license. The app runs
 * as {@code ops/run} runs it, a process of its own with its embedded PostgreSQL in its data directory, and is killed
 * with SIGKILL at random moments (while it starts, while its chain watcher reads purchases) as buyers keep buying on
 * the chain; the seed of the moments is printed. After the last restart the licenses are exactly the chain's
 * LicensePurchased logs, each once.
 */
class LicenseCrashTest {

    private static final int SELLER = 1, FIRST_BUYER = 2, BUYERS = 5;
    private static final int PURCHASES = 15, KILLS = 5;
    private static final BigInteger PRICE = TestChain.AIC.multiply(BigInteger.valueOf(3));
    private static final String NO_ROYALTY_RECEIVER = "0x0000000000000000000000000000000000000000";

    @TempDir
    Path dataDir;

    @Test
    void everyPurchaseMadeOnChainEndsInExactlyOneLicense() throws Exception {
        Path deployment = dataDir.resolve("chain/deployment.json");
        TestChain chain = TestChain.deploy(deployment);
        int dbPort = AppProcess.freePort();
        long seed = System.nanoTime();
        Random killMoments = new Random(seed);
        System.out.println("LicenseCrashTest: kill moments from seed " + seed);

        long listing;
        try (AppProcess app = AppProcess.start(dataDir, deployment, chain.url, dbPort, "--plaza.chain.poll-interval=200ms")) {
            app.awaitReady();
            listing = publishListing(dbPort);
        }
        // The asset on-chain, minted by the plaza's operator (account 0) to the seller, who opens license sales.
        byte[] contentHash = Numeric.hexStringToByteArray("0x" + "c0".repeat(32));
        chain.registry.mint(TestChain.address(SELLER), BigInteger.valueOf(listing), BigInteger.ZERO, contentHash, NO_ROYALTY_RECEIVER,
                BigInteger.ZERO).send();
        chain.marketAs(SELLER).listLicense(BigInteger.valueOf(listing), PRICE).send();
        for (int b = FIRST_BUYER; b < FIRST_BUYER + BUYERS; b++) {
            chain.fund(TestChain.address(b), PRICE.multiply(BigInteger.valueOf(PURCHASES)));
            chain.tokenAs(b).approve(chain.market.getContractAddress(), PRICE.multiply(BigInteger.valueOf(PURCHASES))).send();
        }

        // Buyers buy on-chain throughout, whether the app is up or not.
        Random pauses = new Random(seed + 1);
        CompletableFuture<Set<String>> bought = CompletableFuture.supplyAsync(() -> buy(chain, listing, pauses));
        for (int k = 0; k < KILLS; k++) {
            try (AppProcess app = AppProcess.start(dataDir, deployment, chain.url, dbPort, "--plaza.chain.poll-interval=200ms")) {
                if (k % 2 == 1) {
                    app.awaitReady(); // then killed while the watcher reads
                }
                Thread.sleep(killMoments.nextInt(k % 2 == 1 ? 3_000 : 20_000));
                app.kill();
            }
        }
        Set<String> purchases = bought.get();
        assertThat(purchases).hasSize(PURCHASES);
        chain.mine(3); // the last purchases' confirmations

        try (AppProcess app = AppProcess.start(dataDir, deployment, chain.url, dbPort, "--plaza.chain.poll-interval=200ms")) {
            app.awaitReady();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (licenses(dbPort).size() < PURCHASES && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(licenses(dbPort)).as("licenses, by purchase log; app log:\n%s", app.log())
                    .containsExactlyInAnyOrderElementsOf(purchases);
            try (Connection db = AppProcess.connect(dbPort); ResultSet rs = db.createStatement().executeQuery(
                    "SELECT count(*), count(DISTINCT chain_license), bool_or(revoked) FROM licenses")) {
                rs.next();
                assertThat(rs.getLong(1)).as("one license per purchase").isEqualTo(PURCHASES);
                assertThat(rs.getLong(2)).as("distinct on-chain license ids").isEqualTo(PURCHASES);
                assertThat(rs.getBoolean(3)).as("none revoked").isFalse();
            }
        }
    }

    /** Sends the purchases from the buyers in turn, a random pause between; returns each one's "txHash#logIndex". */
    private static Set<String> buy(TestChain chain, long listing, Random pauses) {
        Set<String> logs = new HashSet<>();
        try {
            for (int i = 0; i < PURCHASES; i++) {
                var receipt = chain.marketAs(FIRST_BUYER + i % BUYERS).buyLicense(BigInteger.valueOf(listing), PRICE).send();
                for (var purchased : Marketplace.getLicensePurchasedEvents(receipt)) {
                    logs.add(purchased.log.getTransactionHash() + "#" + purchased.log.getLogIndex());
                }
                Thread.sleep(pauses.nextInt(12_000)); // spread over the kills and restarts
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return logs;
    }

    /** A seller and a paid listing, written straight into the app's database (the plaza's pages are not under test). */
    private static long publishListing(int dbPort) throws SQLException {
        try (Connection db = AppProcess.connect(dbPort)) {
            ResultSet user = db.createStatement().executeQuery("""
                    INSERT INTO users (username, email, display_name, password_hash)
                    VALUES ('seller', 'seller@example.org', 'Seller', '{noop}unused') RETURNING id""");
            user.next();
            ResultSet listing = db.createStatement().executeQuery("""
                    INSERT INTO listings (kind, owner_id, title, license, price_aic, status)
                    VALUES ('DATASET', %d, 'Crash-proof readings', 'MIT', 3, 'PUBLISHED') RETURNING id""".formatted(user.getLong(1)));
            listing.next();
            return listing.getLong(1);
        }
    }

    private static List<String> licenses(int dbPort) throws SQLException {
        List<String> licenses = new ArrayList<>();
        try (Connection db = AppProcess.connect(dbPort);
             ResultSet rs = db.createStatement().executeQuery("SELECT tx_hash, log_index FROM licenses WHERE NOT revoked")) {
            while (rs.next()) {
                licenses.add(rs.getString(1) + "#" + rs.getLong(2));
            }
        } catch (SQLException e) {
            return licenses; // the server is not up yet
        }
        return licenses;
    }
}
