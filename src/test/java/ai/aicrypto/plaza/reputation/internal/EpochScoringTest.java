package ai.aicrypto.plaza.reputation.internal;

import static ai.aicrypto.plaza.reputation.internal.MarketSimulationTest.wallet;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.aicrypto.plaza.chain.Chain.AicTransfer;
import ai.aicrypto.plaza.reputation.internal.EpochScoring.Contribution;
import ai.aicrypto.plaza.reputation.internal.Use.ContributionType;
import ai.aicrypto.plaza.reputation.internal.Use.UseKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each self-dealing {@link Rule} on a small market: the use it refuses scores nothing and names the rule (what the
 * "why" page shows), while the uses beside it by distinct unrelated members count in full. Accounts are numbers,
 * each with the wallet of its number, and each owner's listing (or GPU offer) has the owner's number too.
 */
class EpochScoringTest {

    private static final int RING_MAX = 5, OFFENDER_USES = 2;
    private static final Instant AT = Instant.parse("2026-01-05T12:00:00Z");

    private int refs;

    @Test
    void distinctUnrelatedMembersCountInFull() {
        EpochScoring.Result result = score(List.of(license(1, 2), license(1, 3), license(1, 4), gpuWork(5, 2)), wallets(1, 2, 3, 4, 5));

        assertThat(result.rules()).containsOnlyNulls();
        assertThat(result.scores()).containsExactlyInAnyOrderEntriesOf(Map.of(listing(1), 3000L, gpuOffer(5), 1000L));
        assertThat(result.ownerScores()).containsExactlyInAnyOrderEntriesOf(Map.of(1L, 3000L, 5L, 1000L));
        assertThat(result.offenders()).isEmpty();
    }

    @Test
    void theOwnersOwnUseCountsZero() {
        EpochScoring.Result result = score(List.of(license(1, 1), gpuWork(1, 1), license(1, 2)), wallets(1, 2));

        assertThat(result.rules()).containsExactly(Rule.SELF_USE, Rule.SELF_USE, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
        assertThat(result.offenders()).as("it earns nothing, so trying one's own listing is no offence").isEmpty();
    }

    @Test
    void aPaymentFromAWalletLinkedToNoAccountCountsZero() {
        EpochScoring.Result result = score(List.of(purchase(1, null, wallet(90), wallet(1)), license(1, 2)), wallets(1, 2));

        assertThat(result.rules()).containsExactly(Rule.UNKNOWN_MEMBER, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
    }

    @Test
    void aPaymentFromTheOwnersWalletOrToItsOwnPayerCountsZero() {
        Map<Long, List<String>> wallets = wallets(1, 2, 3, 4);
        wallets.get(1L).add(wallet(11));
        List<Use> uses = List.of(
                purchase(1, 2L, wallet(11), wallet(1)), // paid from the owner's second wallet
                purchase(1, 3L, wallet(90), wallet(90)), // the payout address (the token's holder) paid itself
                license(1, 4));

        EpochScoring.Result result = score(uses, wallets);

        assertThat(result.rules()).containsExactly(Rule.SHARED_WALLET, Rule.SHARED_WALLET, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
    }

    @Test
    void aMemberTheOwnerFundedCountsZeroForPurchasesAndJobsAlike() {
        // Owner 1 sent member 2 the AIC, which paid the license and the job alike.
        FundingGraph funding = new FundingGraph(List.of(transfer(1, 2)), Set.of(), Set.of(), Set.of(), 3, 20);

        EpochScoring.Result result = EpochScoring.score(List.of(license(1, 2), gpuWork(1, 2), license(1, 3)), wallets(1, 2, 3), funding,
                Set.of(), RING_MAX, OFFENDER_USES);

        assertThat(result.rules()).containsExactly(Rule.FUNDING_LINK, Rule.FUNDING_LINK, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
    }

    @Test
    void jobsAndCreditCallsAreWeighedByTheWalletThatPaidThem() {
        // Members 2 to 5 have clean linked wallets; what paid their jobs and calls is weighed: the owner's second wallet
        // 11 (a job's deposit, calls' credit), wallet 33 the owner funded (the same), and the members' own wallets.
        Map<Long, List<String>> wallets = wallets(1, 2, 3, 4, 5);
        wallets.get(1L).add(wallet(11));
        FundingGraph funding = new FundingGraph(List.of(transfer(1, 33)), Set.of(), Set.of(), Set.of(), 3, 20);
        List<Use> uses = List.of(
                paidUse(UseKind.TRAINING_DATA, 1, 2, wallet(11)), paidUse(UseKind.LICENSEE_CALLS, 1, 2, wallet(11)),
                paidUse(UseKind.TRAINING_DATA, 1, 3, wallet(33)), paidUse(UseKind.LICENSEE_CALLS, 1, 3, wallet(33)),
                paidUse(UseKind.TRAINING_DATA, 1, 4, wallet(4)), paidUse(UseKind.LICENSEE_CALLS, 1, 5, wallet(5)));

        EpochScoring.Result result = EpochScoring.score(uses, wallets, funding, Set.of(), RING_MAX, OFFENDER_USES);

        assertThat(result.rules()).containsExactly(Rule.SHARED_WALLET, Rule.SHARED_WALLET, Rule.FUNDING_LINK, Rule.FUNDING_LINK,
                null, null);
        assertThat(result.scores()).as("the honest job and calls").containsExactlyEntriesOf(Map.of(listing(1), 1500L));
        assertThat(result.offenders()).containsExactlyEntriesOf(Map.of(1L, 4));
    }

    @Test
    void aStrangerWhoFundsTheOwnerAndBuyersOfTheirOwnGetsNothingCountedAndTheOwnerNotExcluded() {
        // Wallet 9 sends AIC to owner 1's wallet and to members 2 and 3, who buy owner 1's listing: each purchase is
        // refused (one wallet funded both sides), but none is held against the owner, who did nothing.
        FundingGraph funding = new FundingGraph(List.of(transfer(9, 1), transfer(9, 2), transfer(9, 3)), Set.of(), Set.of(), Set.of(), 3, 20);

        EpochScoring.Result result = EpochScoring.score(List.of(license(1, 2), license(1, 3), license(1, 4)), wallets(1, 2, 3, 4),
                funding, Set.of(), RING_MAX, 1);

        assertThat(result.rules()).containsExactly(Rule.COMMON_FUNDER, Rule.COMMON_FUNDER, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
        assertThat(result.offenders()).as("even with an offence threshold of 1").isEmpty();
    }

    @Test
    void aMemberTheOwnerFundedThroughAnotherWalletCountsZeroButIsNoOffenceOfTheOwners() {
        // Owner 1 once paid wallet 50, which funded members 2 and 3, who buy owner 1's listing. Refused, as the owner may
        // have laundered through a wallet of their own; not held against the owner, as wallet 50 may be anyone they paid.
        FundingGraph funding = new FundingGraph(List.of(transfer(1, 50), transfer(50, 2), transfer(50, 3)), Set.of(), Set.of(), Set.of(), 3, 20);

        EpochScoring.Result result = EpochScoring.score(List.of(license(1, 2), license(1, 3), license(1, 4)), wallets(1, 2, 3, 4),
                funding, Set.of(), RING_MAX, 1);

        assertThat(result.rules()).containsExactly(Rule.INDIRECT_FUNDING, Rule.INDIRECT_FUNDING, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
        assertThat(result.offenders()).as("even with an offence threshold of 1").isEmpty();
    }

    @Test
    void aMemberWhoFundedTheOwnersTheyBuyFromCountsZeroButIsNoOffenceOfTheOwners() {
        // Member 2 sends AIC to owners 1 and 3 (sock puppets of theirs, or honest owners a stranger wants excluded), then
        // buys both listings. Refused, as the puppets would earn rewards on the member's money; not held against the owners.
        FundingGraph funding = new FundingGraph(List.of(transfer(2, 1), transfer(2, 3)), Set.of(), Set.of(), Set.of(), 3, 20);

        EpochScoring.Result result = EpochScoring.score(List.of(license(1, 2), license(3, 2), license(1, 4)), wallets(1, 2, 3, 4),
                funding, Set.of(), RING_MAX, 1);

        assertThat(result.rules()).containsExactly(Rule.MEMBER_FUNDED_OWNER, Rule.MEMBER_FUNDED_OWNER, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
        assertThat(result.offenders()).as("even with an offence threshold of 1").isEmpty();
    }

    @Test
    void aRepeatCustomersEarlierPurchaseFromTheOwnerFundsNobody() {
        // Member 2 bought a license of owner 1's in an earlier epoch, a purchase the plaza recorded, and buys again.
        List<AicTransfer> earlier = List.of(transfer(2, 1));
        FundingGraph funding = new FundingGraph(earlier, Set.of(), Set.of(earlier.get(0).txHash()), Set.of(), 3, 20);

        EpochScoring.Result result = EpochScoring.score(List.of(license(1, 2)), wallets(1, 2), funding, Set.of(), RING_MAX, 1);

        assertThat(result.rules()).containsOnlyNulls();
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
    }

    @Test
    void twoMembersUsingEachOthersContributionsCountZeroInAnyKind() {
        // Member 2 buys owner 1's listing, and 1 pays for 2's GPU: a circular trade, though not in kind.
        EpochScoring.Result result = score(List.of(license(1, 2), gpuWork(2, 1), license(1, 3)), wallets(1, 2, 3));

        assertThat(result.rules()).containsExactly(Rule.CIRCULAR_TRADE, Rule.CIRCULAR_TRADE, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(1), 1000L));
    }

    @ParameterizedTest(name = "{0} accounts")
    @ValueSource(ints = {3, 4, 5})
    void aClosedRingOfAccountsUsingOnlyEachOthersContributionsCountsZero(int size) {
        EpochScoring.Result result = score(ring(size), wallets(1, 2, 3, 4, 5));

        assertThat(result.rules()).hasSize(size).containsOnly(Rule.RING);
        assertThat(result.scores()).isEmpty();
    }

    @Test
    void aClosedGroupLargerThanTheRingMaximumIsNoRing() {
        EpochScoring.Result result = score(ring(RING_MAX + 1), wallets(1, 2, 3, 4, 5, 6));

        assertThat(result.rules()).hasSize(RING_MAX + 1).containsOnlyNulls();
        assertThat(result.scores().values()).hasSize(RING_MAX + 1).containsOnly(1000L);
    }

    @Test
    void aRingWhoseContributionsAnUnrelatedOutsiderAlsoUsesIsNoRing() {
        List<Use> uses = new ArrayList<>(ring(3));
        uses.add(license(1, 9));

        EpochScoring.Result result = score(uses, wallets(1, 2, 3, 9));

        assertThat(result.rules()).containsOnlyNulls();
        assertThat(result.scores()).containsExactlyInAnyOrderEntriesOf(Map.of(listing(1), 2000L, listing(2), 1000L, listing(3), 1000L));

        // An "outsider" the ring's owner funded is no outsider: its use is refused first, and the ring stays closed.
        FundingGraph funding = new FundingGraph(List.of(transfer(1, 9)), Set.of(), Set.of(), Set.of(), 3, 20);
        EpochScoring.Result funded = EpochScoring.score(uses, wallets(1, 2, 3, 9), funding, Set.of(), RING_MAX, OFFENDER_USES);

        assertThat(funded.rules()).containsExactly(Rule.RING, Rule.RING, Rule.RING, Rule.FUNDING_LINK);
        assertThat(funded.scores()).isEmpty();
    }

    @Test
    void aMemberCountsOnceForTheSameUseOfAContribution() {
        List<Use> uses = List.of(license(1, 2), license(1, 2), license(1, 2), calls(1, 2), license(1, 3));

        EpochScoring.Result result = score(uses, wallets(1, 2, 3));

        assertThat(result.rules()).containsExactly(null, Rule.REPEAT_USE, Rule.REPEAT_USE, null, null);
        assertThat(result.scores()).as("a license each from members 2 and 3, and member 2's calls")
                .containsExactlyEntriesOf(Map.of(listing(1), 2500L));
        assertThat(result.offenders()).as("buying again is no self-dealing").isEmpty();
    }

    @Test
    void anExcludedOwnersUsesCountZeroAfterTheSelfDealingRules() {
        List<Use> uses = List.of(license(1, 3), license(1, 2), license(2, 1), license(2, 3));

        EpochScoring.Result result = EpochScoring.score(uses, wallets(1, 2, 3), FundingGraph.none(), Set.of(1L), RING_MAX, OFFENDER_USES);

        assertThat(result.rules()).containsExactly(Rule.EXCLUDED_OWNER, Rule.CIRCULAR_TRADE, Rule.CIRCULAR_TRADE, null);
        assertThat(result.scores()).containsExactlyEntriesOf(Map.of(listing(2), 1000L));
    }

    @Test
    void onlyUsesRefusedForSelfDealingMakeAnOwnerAnOffender() {
        List<Use> uses = List.of(
                license(1, 2), license(1, 2), license(2, 1), // owner 1: two circular trades refused, owner 2: one
                license(5, 5), license(5, 5), purchase(5, null, wallet(90), wallet(5)), license(5, 6), license(5, 6));

        EpochScoring.Result result = score(uses, wallets(1, 2, 5, 6));

        assertThat(result.offenders()).as("owner 5's own uses, a stranger's wallet's and a repeat customer's are no self-dealing")
                .containsExactlyEntriesOf(Map.of(1L, 2));
        assertThat(EpochScoring.score(uses, wallets(1, 2, 5, 6), FundingGraph.none(), Set.of(), RING_MAX, 1).offenders())
                .containsExactlyInAnyOrderEntriesOf(Map.of(1L, 2, 2L, 1));
    }

    private static EpochScoring.Result score(List<Use> uses, Map<Long, List<String>> wallets) {
        return EpochScoring.score(uses, wallets, FundingGraph.none(), Set.of(), RING_MAX, OFFENDER_USES);
    }

    /** Accounts 1 to {@code size}, each buying a license of the next one's listing (the last the first's). */
    private List<Use> ring(int size) {
        List<Use> uses = new ArrayList<>();
        for (long member = 1; member <= size; member++) {
            uses.add(license(member % size + 1, member));
        }
        return uses;
    }

    /** The member buys a license of the owner's listing, paying from their wallet to the owner's. */
    private Use license(long owner, long member) {
        return purchase(owner, member, wallet(member), wallet(owner));
    }

    private Use purchase(long owner, Long member, String payingWallet, String payeeWallet) {
        return new Use(UseKind.LICENSE, ContributionType.LISTING, owner, owner, member, payingWallet, payeeWallet, "0x" + ++refs, AT);
    }

    /** Calls of the owner's model charged to the member's credit, deposited from the member's wallet. */
    private Use calls(long owner, long member) {
        return paidUse(UseKind.LICENSEE_CALLS, owner, member, wallet(member));
    }

    /** A verified job of the member's on the provider's GPU offer, deposited from the member's wallet. */
    private Use gpuWork(long provider, long member) {
        return new Use(UseKind.GPU_WORK, ContributionType.GPU_OFFER, provider, provider, member, wallet(member), null,
                "job " + ++refs, AT);
    }

    /** A use of the owner's listing paid from {@code payingWallet}, which names no wallet paid (a job, calls). */
    private Use paidUse(UseKind kind, long owner, long member, String payingWallet) {
        return new Use(kind, ContributionType.LISTING, owner, owner, member, payingWallet, null, kind + " " + ++refs, AT);
    }

    private static Contribution listing(long owner) {
        return new Contribution(ContributionType.LISTING, owner);
    }

    private static Contribution gpuOffer(long provider) {
        return new Contribution(ContributionType.GPU_OFFER, provider);
    }

    /** Each account with the wallet of its number (lists that a test may add to). */
    private static Map<Long, List<String>> wallets(long... accounts) {
        Map<Long, List<String>> wallets = new HashMap<>();
        for (long a : accounts) {
            wallets.put(a, new ArrayList<>(List.of(wallet(a))));
        }
        return wallets;
    }

    private static AicTransfer transfer(long from, long to) {
        return new AicTransfer(wallet(from), wallet(to), BigInteger.TEN.pow(18), 1, "0xf" + from + "t" + to);
    }
}
