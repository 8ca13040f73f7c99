package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import ai.aicrypto.plaza.chain.Chain.AicTransfer;
import ai.aicrypto.plaza.reputation.internal.Use.ContributionType;
import ai.aicrypto.plaza.reputation.internal.Use.UseKind;
import org.junit.jupiter.api.Test;

/**
 * A market of honest members and wash-trading rings of 2 to 5 accounts funded from one wallet, over
 * several epochs, through the real scoring (rules, funding graph, scores, emission split): the rings'
 * net return (rewards minus fees and gas) must be negative in every seeded run, and honest owners'
 * shares of the rewards must follow their shares of real use. With -Dpov.bench=true it also prints the
 * figures ops/bench/pov reports, and times an epoch of 100,000 members and 1,000,000 uses (printed, not asserted).
 */
class MarketSimulationTest {

    static final double PRICE = 5, FEE = 0.025, GAS_AIC = 0.02, EMISSION = 1000;
    static final String FAUCET = wallet(0);

    record Figures(double washNetReturnMin, double honestRewardShare, double honestUseShare, double rewardVsUseDistance) {
    }

    static Figures simulate(long seed, int honestOwners, int honestBuyers, int rings, int epochs) {
        Random random = new Random(seed);
        List<AicTransfer> transfers = new ArrayList<>();
        Map<Long, List<String>> wallets = new HashMap<>();
        long nextAccount = 1;
        List<Long> owners = new ArrayList<>(), buyers = new ArrayList<>();
        for (int i = 0; i < honestOwners + honestBuyers; i++) {
            long a = nextAccount++;
            wallets.put(a, List.of(wallet(a)));
            transfers.add(new AicTransfer(FAUCET, wallet(a), BigInteger.TEN, 1, "0xf" + a));
            (i < honestOwners ? owners : buyers).add(a);
        }
        List<List<Long>> ringMembers = new ArrayList<>();
        for (int r = 0; r < rings; r++) {
            String controller = wallet(1_000_000 + r);
            transfers.add(new AicTransfer(FAUCET, controller, BigInteger.TEN, 1, "0xc" + r));
            List<Long> ring = new ArrayList<>();
            for (int k = 0, size = 2 + random.nextInt(4); k < size; k++) {
                long a = nextAccount++;
                wallets.put(a, List.of(wallet(a)));
                transfers.add(new AicTransfer(controller, wallet(a), BigInteger.TEN, 2, "0xr" + a));
                ring.add(a);
            }
            ringMembers.add(ring);
        }
        double[] quality = new double[honestOwners];
        for (int i = 0; i < honestOwners; i++) {
            quality[i] = 1.0 / (i + 1); // a few listings are far more useful than most
        }
        Map<Long, Double> honestRewards = new HashMap<>(), honestUses = new HashMap<>();
        double washRewards[] = new double[rings], washCosts[] = new double[rings];
        double totalRewards = 0, honestRewardTotal = 0;
        long honestUseCount = 0, allUseCount = 0;
        Set<Long> excluded = new HashSet<>();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            List<Use> uses = new ArrayList<>();
            Instant at = Instant.parse("2026-01-05T00:00:00Z").plusSeconds(epoch * 1000L);
            for (long b : buyers) {
                for (int k = 0; k < 3; k++) {
                    int listing = pick(quality, random);
                    long owner = owners.get(listing);
                    uses.add(new Use(UseKind.LICENSE, ContributionType.LISTING, owner, owner, b, wallet(b), wallet(owner), tx(uses), at));
                    honestUses.merge(owner, 1.0, Double::sum);
                    honestUseCount++;
                }
            }
            for (int r = 0; r < rings; r++) {
                List<Long> ring = ringMembers.get(r);
                for (int i = 0; i < ring.size(); i++) {
                    for (int j = 0; j < ring.size(); j++) {
                        if (i == j) {
                            continue;
                        }
                        long buyer = ring.get(i), owner = ring.get(j);
                        for (int rep = 0; rep < 3; rep++) {
                            uses.add(new Use(UseKind.LICENSE, ContributionType.LISTING, owner, owner, buyer, wallet(buyer), wallet(owner),
                                    tx(uses), at));
                            washCosts[r] += PRICE * FEE + GAS_AIC;
                        }
                    }
                }
            }
            allUseCount += uses.size();
            Set<String> payments = new HashSet<>();
            uses.forEach(u -> payments.add(u.ref()));
            FundingGraph funding = new FundingGraph(transfers, payments, Set.of(), Set.of(), 3, 20);
            EpochScoring.Result result = EpochScoring.score(uses, wallets, funding, excluded, 5, 2);
            Map<Long, Long> byOwner = result.ownerScores();
            long total = byOwner.values().stream().mapToLong(Long::longValue).sum();
            for (var e : byOwner.entrySet()) {
                double reward = EMISSION * e.getValue() / total;
                totalRewards += reward;
                int ring = ringOf(ringMembers, e.getKey());
                if (ring >= 0) {
                    washRewards[ring] += reward;
                } else {
                    honestRewards.merge(e.getKey(), reward, Double::sum);
                    honestRewardTotal += reward;
                }
            }
            excluded.addAll(result.offenders().keySet());
        }
        double washMin = Double.POSITIVE_INFINITY;
        for (int r = 0; r < rings; r++) {
            washMin = Math.min(washMin, washRewards[r] - washCosts[r]);
        }
        double distance = 0;
        for (long owner : owners) {
            distance += Math.abs(honestRewards.getOrDefault(owner, 0.0) / honestRewardTotal
                    - honestUses.getOrDefault(owner, 0.0) / honestUseCount);
        }
        return new Figures(washMin, honestRewardTotal / totalRewards, (double) honestUseCount / allUseCount, distance / 2);
    }

    @Test
    void washTradingLosesMoneyAndHonestRewardsFollowRealUse() {
        for (long seed = 1; seed <= 5; seed++) {
            Figures f = simulate(seed, 20, 60, 8, 4);
            assertThat(f.washNetReturnMin()).as("seed %d: every ring's rewards minus fees and gas", seed).isNegative();
            assertThat(f.honestRewardShare()).as("seed %d: honest owners' share of the rewards", seed).isGreaterThan(0.99);
            assertThat(f.rewardVsUseDistance()).as("seed %d: rewards against real use among honest owners", seed).isLessThan(0.1);
        }
        if (Boolean.getBoolean("pov.bench")) {
            bench();
        }
    }

    /** ops/bench/pov: the figures of seeded runs, then one epoch of 100,000 members and 1,000,000 uses timed. */
    private static void bench() {
        double washMin = Double.POSITIVE_INFINITY, honestShare = 0, useShare = 0, distance = 0;
        int runs = 10;
        for (long seed = 1; seed <= runs; seed++) {
            Figures f = simulate(seed, 50, 200, 20, 6);
            washMin = Math.min(washMin, f.washNetReturnMin());
            honestShare += f.honestRewardShare() / runs;
            useShare += f.honestUseShare() / runs;
            distance += f.rewardVsUseDistance() / runs;
        }
        Random random = new Random(7);
        int members = 100_000, listings = 20_000;
        Map<Long, List<String>> wallets = new HashMap<>();
        List<AicTransfer> transfers = new ArrayList<>();
        for (long a = 1; a <= members; a++) {
            wallets.put(a, List.of(wallet(a)));
            transfers.add(new AicTransfer(wallet(2_000_000 + a % 5_000), wallet(a), BigInteger.TEN, 1, "0xf" + a));
        }
        List<Use> uses = new ArrayList<>(1_000_000);
        Instant at = Instant.parse("2026-01-05T00:00:00Z");
        for (int i = 0; i < 1_000_000; i++) {
            long listing = 1 + random.nextInt(listings), owner = 1 + (listing * 5) % members, user = 1 + random.nextInt(members);
            uses.add(new Use(UseKind.LICENSE, ContributionType.LISTING, listing, owner, user, wallet(user), wallet(owner), "0x" + i, at));
        }
        long start = System.nanoTime();
        Set<String> payments = new HashSet<>();
        uses.forEach(u -> payments.add(u.ref()));
        FundingGraph funding = new FundingGraph(transfers, payments, Set.of(), Set.of(), 3, 20);
        EpochScoring.Result result = EpochScoring.score(uses, wallets, funding, Set.of(), 5, 2);
        List<RewardTree.Leaf> leaves = new ArrayList<>();
        result.ownerScores().forEach((owner, score) -> leaves.add(new RewardTree.Leaf(wallet(owner), BigInteger.valueOf(score))));
        new RewardTree(leaves).root();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("pov_wash_net_return_min %.4f%n", washMin);
        System.out.printf("pov_honest_reward_share %.4f%n", honestShare);
        System.out.printf("pov_honest_use_share %.4f%n", useShare);
        System.out.printf("pov_honest_reward_vs_use_distance %.4f%n", distance);
        System.out.printf("pov_epoch_seconds_100k_members_1m_uses %.2f%n", seconds);
        System.out.printf("pov_epoch_scored_contributions %d%n", result.scores().size());
    }

    private static int pick(double[] weights, Random random) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        double x = random.nextDouble() * sum;
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x <= 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private static int ringOf(List<List<Long>> rings, long account) {
        for (int r = 0; r < rings.size(); r++) {
            if (rings.get(r).contains(account)) {
                return r;
            }
        }
        return -1;
    }

    private static String tx(List<Use> uses) {
        return "0xtx" + uses.size();
    }

    static String wallet(long n) {
        return String.format("0x%040x", n);
    }
}
