package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.reputation.RewardsProperties;
import ai.aicrypto.plaza.reputation.internal.RewardFixtures.Wallet;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.web3j.utils.Numeric;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The market simulation of {@link MarketSimulationTest} on anvil with the real contracts, over two epochs of a minute
 * (the shortest the plaza allows): honest buyers buy honest owners' listings, and two wash-trading rings of three
 * accounts buy each other's, every purchase a real transaction whose LicensePurchased log the plaza records; rings of 2,
 * 4 and 5 accounts, each funded from one wallet, buy round a cycle, refused every epoch and losing their fees too. Ring F is
 * funded from one outside wallet (the funding rules refuse it); ring B's wallets are each funded from an outside wallet
 * of their own, which the funding rules cannot tell apart from strangers', so in its first epoch the circular-trade and
 * ring rules alone refuse it (in the next, its own earlier purchases link its wallets by funding). A member with two
 * sock puppets sends them AIC and buys their listings (the rule of a member who funded the owner refuses it, both
 * epochs, though the member's earlier purchases from them are no funding). The plaza closes the epochs, publishes their
 * roots, and the honest owners claim on chain. From the chain's AIC balances: each ring's net return (what its wallets
 * hold after, less what they held before the first purchase: rewards less the fees, the prices staying in the ring) is
 * negative, the honest owners claim the whole emission, and their shares follow their real use. Gas (ETH) is reported
 * apart. With -Dpov.bench=true it prints the figures ops/bench/pov reports.
 */
class MarketSimulationOnChainTest extends IntegrationTest {

    private static final Duration EPOCH = Duration.ofMinutes(1);
    /** About when the context has started and the market is set up, so that the first epoch is mostly used. */
    private static final Instant GENESIS = Instant.now().plusSeconds(10);
    /**
     * Fewer seconds left in the epoch than this when the market opens, and it waits for the next: a round of purchases
     * must be recorded within its epoch, also on a slow, busy CI machine.
     */
    private static final Duration ROOM = Duration.ofSeconds(40);
    private static final BigInteger EMISSION = TestChain.AIC.multiply(BigInteger.valueOf(1200));
    private static final BigInteger PRICE = TestChain.AIC.multiply(BigInteger.valueOf(5));
    private static final BigInteger FEE = PRICE.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
    private static TestChain chain;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        chain = RewardFixtures.epochsOnChain(registry, GENESIS, EPOCH, "1200");
    }

    @Autowired
    TestUsers users;
    @Autowired
    Accounts accounts;
    @Autowired
    RewardEpochs epochs;
    @Autowired
    RewardsProperties rewards;
    @Autowired
    JsonMapper json;

    /** A member with a wallet of their own and, for owners, a listing on sale on chain. */
    private record Trader(String name, AccountPrincipal account, Wallet wallet, long listing) {
    }

    private int purchases;

    @Test
    void washTradingRingsLoseAicOnChainAndHonestOwnersClaimTheEmission() throws Exception {
        long start = System.nanoTime();
        List<Trader> owners = List.of(owner("O1"), owner("O2"), owner("O3"));
        List<Trader> buyers = List.of(buyer("H1"), buyer("H2"), buyer("H3"), buyer("H4"));
        List<Trader> ringF = List.of(owner("F1"), owner("F2"), owner("F3"));
        List<Trader> ringB = List.of(owner("B1"), owner("B2"), owner("B3"));
        Trader puppeteer = buyer("M");
        List<Trader> puppets = List.of(owner("P1"), owner("P2"));
        // Rings of 2, 4 and 5 funded from one wallet each, buying round a cycle (a ring of 2: from each other).
        Map<List<Trader>, Wallet> cycles = new LinkedHashMap<>();
        for (int size : new int[] {2, 4, 5}) {
            List<Trader> ring = new ArrayList<>();
            for (int i = 1; i <= size; i++) {
                ring.add(owner("C" + size + "-" + i));
            }
            Wallet funder = Wallet.named(chain, "C" + size + "-0");
            chain.fund(funder.address(), PRICE.multiply(BigInteger.valueOf(10L * size)));
            for (Trader t : ring) {
                funder.token(chain).transfer(t.wallet().address(), PRICE.multiply(BigInteger.TEN)).send();
            }
            cycles.put(ring, funder);
        }
        // The faucet (the operator's bank) funds the honest buyers and the rings' outside wallets, which links nobody.
        for (Trader b : buyers) {
            chain.fund(b.wallet().address(), PRICE.multiply(BigInteger.TEN));
        }
        Wallet controller = Wallet.named(chain, "F0");
        chain.fund(controller.address(), PRICE.multiply(BigInteger.valueOf(30)));
        for (Trader f : ringF) {
            controller.token(chain).transfer(f.wallet().address(), PRICE.multiply(BigInteger.TEN)).send();
        }
        List<Wallet> outside = new ArrayList<>();
        for (Trader b : ringB) {
            Wallet funder = Wallet.named(chain, "X" + b.name());
            chain.fund(funder.address(), PRICE.multiply(BigInteger.TEN));
            funder.token(chain).transfer(b.wallet().address(), PRICE.multiply(BigInteger.TEN)).send();
            outside.add(funder);
        }
        // The puppeteer, funded by the faucet like anyone, gives each puppet AIC: a gift, not a purchase.
        chain.fund(puppeteer.wallet().address(), PRICE.multiply(BigInteger.TEN));
        for (Trader p : puppets) {
            puppeteer.wallet().token(chain).transfer(p.wallet().address(), PRICE).send();
        }
        List<List<Trader>> spending = new ArrayList<>(List.of(buyers, ringF, ringB, List.of(puppeteer)));
        spending.addAll(cycles.keySet());
        for (List<Trader> spenders : spending) {
            for (Trader t : spenders) {
                t.wallet().token(chain).approve(chain.market.getContractAddress(), PRICE.multiply(BigInteger.valueOf(100))).send();
            }
        }
        List<Wallet> walletsF = wallets(ringF, List.of(controller)), walletsB = wallets(ringB, outside);
        List<Wallet> walletsP = wallets(puppets, List.of(puppeteer.wallet()));
        BigInteger aicF = aic(walletsF), aicB = aic(walletsB), aicP = aic(walletsP), ethF = eth(walletsF), ethB = eth(walletsB);
        Map<List<Trader>, BigInteger> aicCycles = new LinkedHashMap<>();
        for (var c : cycles.entrySet()) {
            aicCycles.put(c.getKey(), aic(wallets(c.getKey(), List.of(c.getValue()))));
        }

        // Honest use follows the listings' worth (O1 most); each ring buys within itself, F every pair, B round a cycle
        // and once back (B2 buys B1's too).
        Map<Trader, Integer> honestUses = new LinkedHashMap<>();
        long first = epochWithRoom();
        // Each epoch's honest purchases, as {buyer, owner}.
        int[][][] honestPlan = {{{0, 0}, {1, 0}, {2, 1}, {3, 2}}, {{0, 1}, {1, 0}, {2, 0}, {3, 0}}};
        List<Long> closed = new ArrayList<>();
        for (int e = 0; e < 2; e++) {
            long epoch = first + e;
            assertThat(rewards.epochAt(Instant.now())).isEqualTo(epoch);
            for (int[] buy : honestPlan[e]) {
                buy(buyers.get(buy[0]), owners.get(buy[1]));
                honestUses.merge(owners.get(buy[1]), 1, Integer::sum);
            }
            for (Trader a : ringF) {
                for (Trader b : ringF) {
                    if (a != b) {
                        buy(a, b);
                    }
                }
            }
            for (int i = 0; i < 3; i++) {
                buy(ringB.get(i), ringB.get((i + 1) % 3));
            }
            buy(ringB.get(1), ringB.get(0));
            for (Trader p : puppets) {
                buy(puppeteer, p);
            }
            for (List<Trader> ring : cycles.keySet()) {
                for (int i = 0; i < ring.size(); i++) {
                    buy(ring.get(i), ring.get((i + 1) % ring.size()));
                }
            }
            awaitLicenses();
            assertThat(jdbc.sql("SELECT count(*) FROM licenses WHERE granted_at >= ? AND granted_at < ?")
                    .params(Timestamp.from(rewards.startOf(epoch)), Timestamp.from(rewards.endOf(epoch))).query(Long.class).single())
                    .as("the epoch's purchases were recorded in it").isEqualTo(27);
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), rewards.endOf(epoch)).toMillis() + 500));
            assertThat(epochs.closeEndedBy(Instant.now())).isEqualTo(1);
            closed.add(epoch);
        }

        assertThat(rules(first, ringF)).as("ring F's wallets have one funder").containsOnly("COMMON_FUNDER").hasSize(6);
        assertThat(rules(first + 1, ringF)).as("and then also paid each other: their owners funded their buyers")
                .containsOnly("FUNDING_LINK").hasSize(6);
        assertThat(rules(first, ringB)).as("ring B evades the funding rules: the graph rules alone refuse it")
                .containsExactlyInAnyOrder("CIRCULAR_TRADE", "CIRCULAR_TRADE", "RING", "RING");
        assertThat(rules(first + 1, ringB)).as("its own purchases of the epoch before link its wallets by funding: B2 and B1 "
                        + "bought from those who buy from them, B3 and B1 reach B2 and B3 through another")
                .containsExactlyInAnyOrder("FUNDING_LINK", "FUNDING_LINK", "INDIRECT_FUNDING", "INDIRECT_FUNDING");
        for (long epoch : closed) {
            assertThat(rules(epoch, puppets)).as("the puppets' sales to the member who funded them, epoch %d", epoch)
                    .containsOnly("MEMBER_FUNDED_OWNER").hasSize(2);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM contribution_uses WHERE rule IS NOT NULL AND owner_id IN (?, ?, ?)")
                .params(owners.get(0).account().id(), owners.get(1).account().id(), owners.get(2).account().id())
                .query(Long.class).single()).as("every honest use counts").isZero();
        assertThat(jdbc.sql("SELECT user_id FROM reward_exclusions WHERE from_epoch = ?").param(first + 1).query(Long.class).list())
                .as("B1, refused twice for self-dealing in the first epoch, is a repeat offender; the puppets are not")
                .containsExactly(ringB.get(0).account().id());
        for (long epoch : closed) {
            assertThat(jdbc.sql("SELECT emission_wei = allocated_wei FROM reward_epochs WHERE epoch = ?").param(epoch)
                    .query(Boolean.class).single()).as("epoch %d allocates its whole emission", epoch).isTrue();
        }
        assertThat(jdbc.sql("SELECT count(*) FROM reward_allocations WHERE user_id IN (SELECT owner_id FROM contribution_uses "
                        + "WHERE rule IS NOT NULL)").query(Long.class).single()).as("no ring member is allocated anything").isZero();

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT count(*) FROM reward_epochs WHERE published_at IS NOT NULL").query(Long.class).single() == 2;
        });
        BigInteger claimed = BigInteger.ZERO;
        Map<Trader, BigInteger> honestRewards = new LinkedHashMap<>();
        for (Trader owner : owners) {
            BigInteger before = owner.wallet().aic(chain);
            for (long epoch : closed) {
                var answer = mvc.perform(post("/rewards/" + epoch + "/claim/transaction").with(user(owner.account())).with(csrf()))
                        .andReturn().getResponse();
                if (answer.getStatus() == 404) {
                    continue; // no allocation this epoch
                }
                assertThat(answer.getStatus()).isEqualTo(200);
                JsonNode tx = json.readTree(answer.getContentAsString());
                assertThat(owner.wallet().send(chain, tx.get("to").asString(), tx.get("data").asString()).isStatusOK()).isTrue();
            }
            BigInteger reward = owner.wallet().aic(chain).subtract(before);
            honestRewards.put(owner, reward);
            claimed = claimed.add(reward);
        }
        for (long epoch : closed) {
            assertThat(chain.rewards.outstanding(BigInteger.valueOf(epoch)).send()).as("epoch %d fully claimed", epoch).isZero();
        }
        assertThat(claimed).as("the honest owners claimed every epoch's whole emission").isEqualTo(EMISSION.multiply(BigInteger.TWO));

        BigInteger netF = aic(walletsF).subtract(aicF), netB = aic(walletsB).subtract(aicB), netP = aic(walletsP).subtract(aicP);
        assertThat(netF).as("ring F: no reward, a fee on each of its 12 purchases").isEqualTo(FEE.multiply(BigInteger.valueOf(-12)));
        assertThat(netB).as("ring B: no reward, a fee on each of its 8 purchases").isEqualTo(FEE.multiply(BigInteger.valueOf(-8)));
        assertThat(netP).as("the puppets: no reward, a fee on each of their 4 purchases").isEqualTo(FEE.multiply(BigInteger.valueOf(-4)));
        BigInteger washNetMax = netF.max(netB).max(netP);
        for (var c : cycles.entrySet()) {
            List<Trader> ring = c.getKey();
            for (long epoch : closed) {
                assertThat(rules(epoch, ring)).as("the ring of %d, epoch %d: refused", ring.size(), epoch)
                        .hasSize(ring.size()).doesNotContain("COUNTED");
            }
            BigInteger net = aic(wallets(ring, List.of(c.getValue()))).subtract(aicCycles.get(ring));
            assertThat(net).as("the ring of %d: no reward, a fee on each of its %d purchases", ring.size(), 2 * ring.size())
                    .isEqualTo(FEE.multiply(BigInteger.valueOf(-2L * ring.size())));
            washNetMax = washNetMax.max(net);
        }
        assertThat(washNetMax).isNegative();

        int honestTotal = honestUses.values().stream().mapToInt(Integer::intValue).sum();
        double distance = 0;
        for (Trader owner : owners) {
            double rewardShare = new BigDecimal(honestRewards.get(owner)).divide(new BigDecimal(claimed), MathContext.DECIMAL64).doubleValue();
            distance += Math.abs(rewardShare - (double) honestUses.getOrDefault(owner, 0) / honestTotal) / 2;
        }
        assertThat(distance).as("honest owners' rewards against their real use").isLessThan(1e-9);
        if (Boolean.getBoolean("pov.bench")) {
            System.out.printf("pov_onchain_wash_net_return_max %.4f%n", aicOf(washNetMax));
            System.out.printf("pov_onchain_honest_reward_share %.4f%n",
                    new BigDecimal(claimed).divide(new BigDecimal(EMISSION.multiply(BigInteger.TWO)), MathContext.DECIMAL64));
            System.out.printf("pov_onchain_honest_use_share %.4f%n", (double) honestTotal / purchases);
            System.out.printf("pov_onchain_honest_reward_vs_use_distance %.4f%n", distance);
            System.out.printf("pov_onchain_wash_gas_eth_max %.6f%n",
                    Math.max(aicOf(ethF.subtract(eth(walletsF))), aicOf(ethB.subtract(eth(walletsB)))));
            System.out.printf("pov_onchain_seconds %.1f%n", (System.nanoTime() - start) / 1e9);
        }
    }

    private Trader owner(String name) throws Exception {
        Trader t = buyer(name);
        long listing = RewardFixtures.listing(jdbc, t.account(), "Data of " + name);
        // Minted by the plaza's operator to the owner, who opens license sales (the plaza mints so on publishing).
        chain.registry.mint(t.wallet().address(), BigInteger.valueOf(listing), BigInteger.ZERO,
                Numeric.hexStringToByteArray(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(listing), 64)),
                "0x0000000000000000000000000000000000000000", BigInteger.ZERO).send();
        t.wallet().market(chain).listLicense(BigInteger.valueOf(listing), PRICE).send();
        return new Trader(name, t.account(), t.wallet(), listing);
    }

    private Trader buyer(String name) {
        AccountPrincipal member = users.member();
        Wallet wallet = Wallet.named(chain, name);
        accounts.linkWalletTrusted(member.id(), wallet.address());
        return new Trader(name, member, wallet, 0);
    }

    private void buy(Trader buyer, Trader owner) throws Exception {
        assertThat(buyer.wallet().market(chain).buyLicense(BigInteger.valueOf(owner.listing()), PRICE).send().isStatusOK()).isTrue();
        purchases++;
    }

    /** Waits until the plaza has recorded every purchase from its confirmed log. */
    private void awaitLicenses() {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT count(*) FROM licenses").query(Long.class).single() == purchases;
        });
    }

    /**
     * The current epoch, or the next when too little of the current one is left for a round of purchases; waits until it
     * has started (the first from genesis).
     */
    private long epochWithRoom() throws InterruptedException {
        long epoch = Math.max(1, rewards.epochAt(Instant.now()));
        if (Duration.between(Instant.now(), rewards.endOf(epoch)).compareTo(ROOM) < 0) {
            epoch++;
        }
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), rewards.startOf(epoch)).toMillis() + 200));
        return epoch;
    }

    /** The rules that refused the uses of the owners' listings in the epoch. */
    private List<String> rules(long epoch, List<Trader> owners) {
        return jdbc.sql("SELECT coalesce(rule, 'COUNTED') FROM contribution_uses WHERE epoch = ? AND owner_id = ANY (?)")
                .params(epoch, owners.stream().map(t -> t.account().id()).toArray(Long[]::new))
                .query(String.class).list();
    }

    private static List<Wallet> wallets(List<Trader> ring, List<Wallet> funders) {
        List<Wallet> all = new ArrayList<>(funders);
        ring.forEach(t -> all.add(t.wallet()));
        return all;
    }

    private static BigInteger aic(List<Wallet> wallets) throws Exception {
        BigInteger sum = BigInteger.ZERO;
        for (Wallet w : wallets) {
            sum = sum.add(w.aic(chain));
        }
        return sum;
    }

    private static BigInteger eth(List<Wallet> wallets) throws Exception {
        BigInteger sum = BigInteger.ZERO;
        for (Wallet w : wallets) {
            sum = sum.add(w.eth(chain));
        }
        return sum;
    }

    /** Wei as a decimal number of AIC (or ETH). */
    private static double aicOf(BigInteger wei) {
        return new BigDecimal(wei).movePointLeft(18).doubleValue();
    }
}
