package ai.aicrypto.plaza.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.Role;
import ai.aicrypto.plaza.catalog.ListingAccess;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.chain.contracts.CompetitionEscrow;
import ai.aicrypto.plaza.chain.contracts.JobEscrow;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.FastRawTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.tx.response.NoOpProcessor;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * The watcher never stops on a log, tried on a real chain: a wallet that is no plaza member sends
 * over a thousand random calls to the plaza's public escrows (ids and times at the edges of their
 * types, strange splits, top-ups, cancellations, reclaims), many of them emitting logs the plaza
 * cannot act on. Then an ordinary buyer buys a license: it must be granted, the cursor must have
 * passed every block, and each unusable log must be in the quarantine once, with a reason.
 */
class HostileChainLogsTest extends IntegrationTest {

    private static final int SELLER = 3, BUYER = 4, STRANGER = 5;
    private static final int CALLS = 1_200;
    private static final BigInteger PRICE = TestChain.AIC;
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) {
        chain = TestChain.deployFor(registry);
    }

    @Autowired
    Accounts accounts;
    @Autowired
    Datasets datasets;
    @Autowired
    ListingAccess access;
    @Autowired
    ChainLogQuarantine quarantine;
    @Autowired
    TestUsers users;
    @Autowired
    MeterRegistry meters;

    @Test
    void aLicenseBoughtAfterAStormOfHostileLogsIsGranted() throws Exception {
        long seller = member("seller", SELLER), buyer = member("buyer", BUYER);
        Path csv = Files.createTempFile("readings", ".csv");
        Files.writeString(csv, "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
        long listing = datasets.importDataset(seller, new DatasetUpload(new ListingDraft("Readings " + System.nanoTime(),
                "Three rows", List.of("test"), "MIT", BigDecimal.ONE), csv, "readings.csv", null, null, "label"));
        Files.delete(csv);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("asset_tokens") == 1);
        awaitConfirmedMint(chain, listing);
        chain.marketAs(SELLER).listLicense(BigInteger.valueOf(listing), PRICE).send();
        chain.fund(TestChain.address(BUYER), PRICE);
        chain.fund(TestChain.address(STRANGER), TestChain.AIC.multiply(BigInteger.valueOf(1_000)));

        long seed = Long.getLong("plaza.test.seed", System.nanoTime());
        int sent;
        try {
            sent = storm(new Random(seed), listing);
        } finally {
            chain.resetClock();
        }

        var buy = chain.tokenAs(BUYER).approve(chain.market.getContractAddress(), PRICE).send();
        assertThat(buy.isStatusOK()).isTrue();
        TransactionReceipt bought = chain.marketAs(BUYER).buyLicense(BigInteger.valueOf(listing), PRICE).send();
        assertThat(bought.isStatusOK()).isTrue();
        chain.mine(2);

        await("seed " + seed + ", " + sent + " hostile calls").atMost(Duration.ofSeconds(120))
                .until(() -> access.mayUse(buyer, listing));
        long boughtAt = bought.getBlockNumber().longValueExact();
        assertThat(jdbc.sql("SELECT next_block FROM chain_cursors").query(Long.class).single()).isGreaterThan(boughtAt);
        assertThat(quarantine.count()).as("seed " + seed + ": logs with far-future times or foreign ids are quarantined")
                .isPositive();
        assertThat(quarantine.recent(1_000)).allSatisfy(entry -> assertThat(entry.reason()).isNotBlank());
        // Counted, and shown to admins with the reason.
        assertThat(meters.find("plaza.chain.logs.quarantined").counters().stream().mapToDouble(c -> c.count()).sum())
                .isEqualTo(quarantine.count());
        String page = mvc.perform(get("/admin/chain/quarantine").with(user(users.admin()))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains(quarantine.count() + " logs from the plaza").contains(quarantine.recent(1).get(0).txHash());
        // Quarantined once: a log is never both acted on and quarantined by the watcher.
        assertThat(jdbc.sql("""
                SELECT count(*) FROM chain_logs_quarantined q JOIN chain_logs l USING (tx_hash, log_index)
                WHERE q.block_number IS NOT NULL""").query(Long.class).single()).isZero();
    }

    /** Random calls to the escrows from a wallet no member owns; returns how many were sent. */
    private int storm(Random random, long listing) throws Exception {
        var manager = new FastRawTransactionManager(chain.web3j, TestChain.credentials(STRANGER), 31337, new NoOpProcessor(chain.web3j));
        var gas = new StaticGasProvider(BigInteger.valueOf(2_000_000_000L), BigInteger.valueOf(1_000_000));
        JobEscrow jobs = JobEscrow.load(chain.jobEscrow.getContractAddress(), chain.web3j, manager, gas);
        CompetitionEscrow pools = CompetitionEscrow.load(chain.competitionEscrow.getContractAddress(), chain.web3j, manager, gas);
        var token = ai.aicrypto.plaza.chain.contracts.AICToken.load(chain.token.getContractAddress(), chain.web3j, manager, gas);
        BigInteger all = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
        token.approve(chain.jobEscrow.getContractAddress(), all).send();
        token.approve(chain.competitionEscrow.getContractAddress(), all).send();
        List<BigInteger> used = new ArrayList<>();
        String last = null;
        for (int i = 0; i < CALLS; i++) {
            if (i == CALLS * 2 / 3) {
                chain.warp(400 * 86_400L); // past every deadline: reclaims and pool reclaims succeed from here
            }
            BigInteger id = i % 3 == 0 || used.isEmpty() ? edgeId(random) : used.get(random.nextInt(used.size()));
            long now = chain.now();
            RemoteFunctionCall<TransactionReceipt> call = switch (random.nextInt(7)) {
                case 0, 1 -> jobs.deposit(id, BigInteger.valueOf(1 + random.nextInt(1_000)),
                        BigInteger.valueOf(random.nextInt(10) == 0 ? random.nextInt(7_200) : 3_600 + random.nextInt(89 * 86_400)));
                case 2 -> jobs.reclaim(id);
                case 3 -> pools.fund(id, BigInteger.valueOf(now + 60).add(edgeTime(random)), BigInteger.valueOf(now + 120)
                                .add(edgeTime(random)).add(edgeTime(random)), split(random),
                        BigInteger.valueOf(1 + random.nextInt(1_000)));
                case 4 -> pools.increasePool(id, BigInteger.valueOf(1 + random.nextInt(100)));
                case 5 -> pools.cancel(id);
                default -> pools.reclaimPool(id);
            };
            last = call.send().getTransactionHash();
            used.add(id);
        }
        TransactionReceipt receipt = new PollingTransactionReceiptProcessor(chain.web3j, 100, 600).waitForTransactionReceipt(last);
        assertThat(receipt).isNotNull();
        return CALLS;
    }

    /** Ids a stranger would try: small ones the plaza uses, and the edges of int64, uint64 and uint256. */
    private static BigInteger edgeId(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> BigInteger.valueOf(1 + random.nextInt(50));
            case 1 -> BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(random.nextInt(3) - 1));
            case 2 -> BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(random.nextInt(3) - 1));
            case 3 -> BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
            case 4 -> BigInteger.ZERO;
            default -> new BigInteger(1 + random.nextInt(255), random);
        };
    }

    /** Seconds to add to a time: soon, in years, or up to what a uint64 holds (far past the year 9999). */
    private static BigInteger edgeTime(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> BigInteger.valueOf(random.nextInt(86_400));
            case 1 -> BigInteger.valueOf(random.nextInt(100) * 31_536_000L);
            case 2 -> BigInteger.ONE.shiftLeft(62).add(BigInteger.valueOf(random.nextInt(1_000)));
            default -> BigInteger.valueOf(1_000 + random.nextInt(1_000_000));
        };
    }

    /** Splits of 0 to 12 places; about half sum to 10,000 (the escrow refuses the rest). */
    private static List<BigInteger> split(Random random) {
        int places = random.nextInt(13);
        List<BigInteger> split = new ArrayList<>();
        int left = 10_000;
        for (int p = 0; p < places; p++) {
            int share = p == places - 1 && random.nextBoolean() ? left : random.nextInt(Math.max(1, left));
            split.add(BigInteger.valueOf(share));
            left -= share;
        }
        return split;
    }

    private long member(String prefix, int walletAccount) {
        String name = prefix + System.nanoTime() % 1_000_000;
        long id = accounts.register(new Accounts.NewAccount(name, name + "@example.org", name, "a-long-password"),
                EnumSet.of(Role.MEMBER));
        accounts.linkWalletTrusted(id, TestChain.address(walletAccount));
        return id;
    }
}
