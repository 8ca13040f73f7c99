package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.aicrypto.plaza.chain.contracts.AICToken;
import ai.aicrypto.plaza.chain.contracts.AssetRegistry;
import ai.aicrypto.plaza.chain.contracts.BountyEscrow;
import ai.aicrypto.plaza.chain.contracts.CompetitionEscrow;
import ai.aicrypto.plaza.chain.contracts.JobEscrow;
import ai.aicrypto.plaza.chain.contracts.Marketplace;
import ai.aicrypto.plaza.chain.contracts.RewardsDistributor;
import ai.aicrypto.plaza.chain.contracts.UsageCredit;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;
import org.web3j.crypto.StructuredDataEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Numeric;

/**
 * The tests' chain: the anvil that ops/test starts (PLAZA_TEST_ANVIL_URL), with contracts deployed
 * fresh for each test class from the checked-in bytecode (contracts/abi), as deploy.js would.
 */
public final class TestChain {

    /** Anvil's well-known dev keys (default mnemonic), by account index. */
    public static final List<String> KEYS = List.of(
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
            "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
            "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
            "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
            "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
            "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
            "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97");
    /** The escrows' operator, an account of its own (the minter is account 0, as deploy.js splits them). */
    public static final int ESCROW_OPERATOR = 7;
    /**
     * Funds the tests' wallets. Not account 0: the app under test mints and publishes from account 0 at
     * any moment, and a test sending from it too would take the same nonce ("replacement transaction underpriced").
     */
    public static final int BANK = 8;
    private static final BigInteger BANK_HOLDING = BigInteger.TEN.pow(18 + 8);
    public static final BigInteger AIC = BigInteger.TEN.pow(18);
    public static final int FEE_BPS = 250;
    /** UsageCredit's withdrawal delay here: the shortest the contract allows, so tests move the clock little. */
    public static final long CREDIT_WITHDRAWAL_DELAY = 3600;

    public final String url;
    public final Web3j web3j;
    public final AICToken token;
    public final AssetRegistry registry;
    public final Marketplace market;
    public final JobEscrow jobEscrow;
    public final CompetitionEscrow competitionEscrow;
    public final UsageCredit usageCredit;
    /** Funded from the deployer (the ecosystem wallet here), which approves it; published by the escrow operator. */
    public final RewardsDistributor rewards;
    /** Data requests: no operator; the market's treasury (the deployer) and fee. */
    public final BountyEscrow bountyEscrow;
    public final long deployedAtBlock;

    private TestChain(String url) throws Exception {
        this.url = url;
        this.web3j = Web3j.build(new HttpService(url));
        Credentials deployer = credentials(0);
        String d = deployer.getAddress();
        TransactionManager tm = transactions(0);
        var gas = new DefaultGasProvider();
        token = AICToken.deploy(web3j, tm, gas, d, d, d, d, d, d, BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE).send();
        deployedAtBlock = token.getTransactionReceipt().orElseThrow().getBlockNumber().longValueExact();
        registry = AssetRegistry.deploy(web3j, tm, gas, "http://localhost/api/nft/", d).send();
        market = Marketplace.deploy(web3j, tm, gas, token.getContractAddress(), registry.getContractAddress(), d,
                BigInteger.valueOf(FEE_BPS), d).send();
        // The deployer (account 0) is also the minter; the escrows have an operator of their own.
        String operator = address(ESCROW_OPERATOR);
        competitionEscrow = CompetitionEscrow.deploy(web3j, tm, gas, token.getContractAddress(), operator, d).send();
        jobEscrow = JobEscrow.deploy(web3j, tm, gas, token.getContractAddress(), operator, d, BigInteger.valueOf(FEE_BPS), d)
                .send();
        usageCredit = UsageCredit.deploy(web3j, tm, gas, token.getContractAddress(), operator, d, BigInteger.valueOf(FEE_BPS),
                BigInteger.valueOf(CREDIT_WITHDRAWAL_DELAY), d).send();
        registry.grantRole(registry.MINTER_ROLE().send(), d).send();
        rewards = RewardsDistributor.deploy(web3j, tm, gas, token.getContractAddress(), d, BigInteger.valueOf(86_400), operator, d)
                .send();
        token.approve(rewards.getContractAddress(), AIC.multiply(BigInteger.valueOf(1_000_000_000L))).send();
        bountyEscrow = BountyEscrow.deploy(web3j, tm, gas, token.getContractAddress(), registry.getContractAddress(), d,
                BigInteger.valueOf(FEE_BPS), d).send();
        token.transfer(address(BANK), BANK_HOLDING).send();
    }

    /** The tests' anvil (PLAZA_TEST_ANVIL_URL). */
    public static String anvilUrl() {
        String url = System.getenv("PLAZA_TEST_ANVIL_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("PLAZA_TEST_ANVIL_URL is not set: run the tests with ops/test, which starts "
                    + "anvil, or start one (contracts/node_modules/.bin/anvil --port 18546) and export its URL");
        }
        return url;
    }

    /** Deploys fresh contracts on the tests' anvil and writes their deployment file. */
    public static TestChain deploy(Path deploymentFile) {
        String url = anvilUrl();
        try {
            TestChain chain = new TestChain(url);
            Files.createDirectories(deploymentFile.getParent());
            Files.writeString(deploymentFile, """
                    {"chainId": 31337, "AICToken": "%s", "AssetRegistry": "%s", "Marketplace": "%s",
                     "JobEscrow": "%s", "CompetitionEscrow": "%s", "UsageCredit": "%s", "RewardsDistributor": "%s",
                     "BountyEscrow": "%s", "deployedAtBlock": %d}
                    """.formatted(chain.token.getContractAddress(), chain.registry.getContractAddress(),
                    chain.market.getContractAddress(), chain.jobEscrow.getContractAddress(),
                    chain.competitionEscrow.getContractAddress(), chain.usageCredit.getContractAddress(),
                    chain.rewards.getContractAddress(), chain.bountyEscrow.getContractAddress(), chain.deployedAtBlock));
            return chain;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot deploy the contracts on " + url, e);
        }
    }

    /**
     * Deploys fresh contracts and points the app at them: RPC, deployment file, minter key (dev
     * account 0), escrow operator key (dev account 7), 2 confirmations and a fast watcher. Call from a test's {@code @DynamicPropertySource}.
     */
    public static TestChain deployFor(org.springframework.test.context.DynamicPropertyRegistry registry) {
        return deployFor(registry, null);
    }

    /**
     * As {@link #deployFor(org.springframework.test.context.DynamicPropertyRegistry)}, the app reaching the chain at
     * {@code appRpcUrl} (a {@link CuttableProxy}'s, for a test that takes the chain away), or at the anvil when null.
     */
    public static TestChain deployFor(org.springframework.test.context.DynamicPropertyRegistry registry, String appRpcUrl) {
        Path deployment;
        try {
            deployment = Files.createTempDirectory("plaza-chain-").resolve("deployment.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestChain chain = deploy(deployment);
        registry.add("plaza.chain.rpc-url", () -> appRpcUrl == null ? chain.url : appRpcUrl);
        registry.add("plaza.chain.deployment", deployment::toString);
        registry.add("plaza.chain.operator-key", () -> KEYS.get(0));
        registry.add("plaza.chain.escrow-operator-key", () -> KEYS.get(ESCROW_OPERATOR));
        registry.add("plaza.chain.confirmations", () -> "2");
        registry.add("plaza.chain.poll-interval", () -> "200ms");
        return chain;
    }

    public static Credentials credentials(int account) {
        return Credentials.create(KEYS.get(account));
    }

    public static String address(int account) {
        return credentials(account).getAddress();
    }

    public TransactionManager transactions(int account) {
        return new RawTransactionManager(web3j, credentials(account), 31337, new PollingTransactionReceiptProcessor(web3j, 100, 100));
    }

    /** Sends a transaction from a dev account and waits for its receipt (which may show a revert). */
    public org.web3j.protocol.core.methods.response.TransactionReceipt send(int account, String to, String data) throws Exception {
        var sent = transactions(account).sendTransaction(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(300_000), to, data,
                BigInteger.ZERO);
        if (sent.hasError()) {
            throw new IllegalStateException(sent.getError().getMessage());
        }
        return new PollingTransactionReceiptProcessor(web3j, 100, 100).waitForTransactionReceipt(sent.getTransactionHash());
    }

    /** Sends AIC to a wallet from the tests' own bank account, and waits until it is mined. */
    public org.web3j.protocol.core.methods.response.TransactionReceipt fund(String wallet, BigInteger amount) throws Exception {
        var receipt = tokenAs(BANK).transfer(wallet, amount).send();
        if (!receipt.isStatusOK()) {
            throw new IllegalStateException("funding " + wallet + " reverted: " + receipt.getRevertReason());
        }
        return receipt;
    }

    public AICToken tokenAs(int account) {
        return AICToken.load(token.getContractAddress(), web3j, transactions(account), new DefaultGasProvider());
    }

    public Marketplace marketAs(int account) {
        return Marketplace.load(market.getContractAddress(), web3j, transactions(account), new DefaultGasProvider());
    }

    public AssetRegistry registryAs(int account) {
        return AssetRegistry.load(registry.getContractAddress(), web3j, transactions(account), new DefaultGasProvider());
    }

    public JobEscrow jobEscrowAs(int account) {
        return JobEscrow.load(jobEscrow.getContractAddress(), web3j, transactions(account), new DefaultGasProvider());
    }

    public CompetitionEscrow competitionEscrowAs(int account) {
        return CompetitionEscrow.load(competitionEscrow.getContractAddress(), web3j, transactions(account), new DefaultGasProvider());
    }

    public UsageCredit usageCreditAs(int account) {
        return UsageCredit.load(usageCredit.getContractAddress(), web3j, transactions(account), new DefaultGasProvider());
    }

    /** Signs EIP-712 typed data (eth_signTypedData_v4 JSON) as a wallet would: 0x r s v. */
    public static String signTypedData(int account, String typedDataJson) throws IOException {
        Sign.SignatureData sig = Sign.signMessage(new StructuredDataEncoder(typedDataJson).hashStructuredData(),
                credentials(account).getEcKeyPair(), false);
        return Numeric.toHexString(sig.getR()) + Numeric.toHexStringNoPrefix(sig.getS()) + Numeric.toHexStringNoPrefix(sig.getV());
    }

    public BigInteger balance(int account) throws Exception {
        return token.balanceOf(address(account)).send();
    }

    public long head() throws IOException {
        return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    }

    /** Mines empty blocks (anvil_mine). */
    public void mine(int blocks) {
        rpc("anvil_mine", List.of("0x" + Integer.toHexString(blocks)));
    }

    /** Waits for a transaction's receipt (the plaza's own sends return before they are mined). */
    public org.web3j.protocol.core.methods.response.TransactionReceipt receipt(String txHash) throws Exception {
        return new PollingTransactionReceiptProcessor(web3j, 100, 100).waitForTransactionReceipt(txHash);
    }

    /** Gives an address 100 ETH for gas (anvil_setBalance). */
    public void fundGas(String address) {
        rpc("anvil_setBalance", List.of(address, "0x" + AIC.multiply(BigInteger.valueOf(100)).toString(16)));
    }

    /** Removes a transaction from anvil's mempool (anvil_dropTransaction), as a node that lost it would. */
    public void dropTransaction(String txHash) {
        rpc("anvil_dropTransaction", List.of(txHash));
    }

    /** Turns anvil's mining of each transaction as it arrives off (transactions wait in the mempool) or on. */
    public void automine(boolean on) {
        rpc("evm_setAutomine", List.of(on));
    }

    /** Moves the chain's clock forward and mines a block at the new time. */
    public void warp(long seconds) {
        rpc("evm_increaseTime", List.of(seconds));
        mine(1);
    }

    /**
     * Sets the chain's clock back to the wall clock and mines a block: the tests share one anvil, and
     * a test that moved its clock forward would leave later tests' permits (deadlines from the app's
     * clock) expired on-chain.
     */
    public void resetClock() {
        rpc("anvil_setTime", List.of(System.currentTimeMillis() / 1000));
        mine(1);
    }

    /** Timestamp of the latest block, in epoch seconds. */
    public long now() throws IOException {
        return web3j.ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false).send().getBlock()
                .getTimestamp().longValueExact();
    }

    /** @return the snapshot id (evm_snapshot) */
    public String snapshot() {
        return (String) rpc("evm_snapshot", List.of());
    }

    /** Goes back to a snapshot: the blocks after it are dropped, as in a reorganisation. */
    public void revert(String snapshot) {
        rpc("evm_revert", List.of(snapshot));
    }

    private Object rpc(String method, List<?> params) {
        try {
            var response = new Request<>(method, params, new HttpService(url), RawResponse.class).send();
            if (response.hasError()) {
                throw new IllegalStateException(method + ": " + response.getError().getMessage());
            }
            return response.getResult();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class RawResponse extends Response<Object> {
    }
}
