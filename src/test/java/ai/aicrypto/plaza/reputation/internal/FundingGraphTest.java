package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;

import ai.aicrypto.plaza.chain.Chain.AicTransfer;
import org.junit.jupiter.api.Test;

/**
 * The funding-link rule both ways: an operator's wallet (the deployer that funds the demo members, a faucet) links
 * nobody however few wallets it funded, while a member's wallet that funded two others links them, directly or within
 * the hops; a wallet past the hub count (an exchange) links nobody; what a member paid an owner for a purchase (a repeat
 * customer) links only the other way, while AIC a member sent an owner otherwise (a sock puppet's) links them.
 */
class FundingGraphTest {

    private static final String OPERATOR = "0x00000000000000000000000000000000000000aa";
    private static final String ALICE = "0x00000000000000000000000000000000000000a1", BOB = "0x00000000000000000000000000000000000000b0";
    private static final String PATRON = "0x00000000000000000000000000000000000000c0", MIDDLE = "0x00000000000000000000000000000000000000d0";

    @Test
    void theOperatorsWalletFundingBothMembersLinksNobody() {
        List<AicTransfer> transfers = List.of(transfer(OPERATOR, ALICE, 1), transfer(OPERATOR, BOB, 2));

        assertThat(graph(transfers, Set.of(OPERATOR), 20).linked(List.of(ALICE), List.of(BOB))).isFalse();
        assertThat(graph(transfers, Set.of(), 20).linked(List.of(ALICE), List.of(BOB)))
                .as("the same transfers from a wallet nobody named: a common funder").isTrue();
    }

    @Test
    void aMemberWhoFundsOthersStillLinksThem() {
        // The patron was funded by the operator like everyone, then funded bob directly and alice through another wallet.
        List<AicTransfer> transfers = List.of(transfer(OPERATOR, PATRON, 1), transfer(OPERATOR, ALICE, 2),
                transfer(OPERATOR, BOB, 3), transfer(PATRON, BOB, 4), transfer(PATRON, MIDDLE, 5), transfer(MIDDLE, ALICE, 6));

        FundingGraph graph = graph(transfers, Set.of(OPERATOR), 20);
        assertThat(graph.linked(List.of(ALICE), List.of(BOB))).as("one wallet funded both, within the hops").isTrue();
        assertThat(graph.linked(List.of(BOB), List.of(PATRON))).as("bob buying from the patron, who funded him").isTrue();
        assertThat(new FundingGraph(transfers, Set.of(), Set.of(), Set.of(OPERATOR), 1, 20).linked(List.of(ALICE), List.of(BOB)))
                .as("alice's funding came two hops away from the patron").isFalse();
    }

    @Test
    void whatTheMemberPaidTheOwnerForAPurchaseLinksNobodyWhileTheOwnersPaymentToTheMemberDoes() {
        // Alice bought a license of bob's in an earlier epoch (her payment, a purchase the plaza recorded, not one of this
        // epoch's uses); her friend had sent her the AIC for it.
        List<AicTransfer> transfers = List.of(transfer(PATRON, ALICE, 1), transfer(ALICE, BOB, 2));

        FundingGraph graph = graph(transfers, Set.of(tx(2)), Set.of(OPERATOR), 20);
        assertThat(graph.linked(List.of(ALICE), List.of(BOB)))
                .as("a repeat customer buying from bob again: neither her payment nor her friend's money reaching bob through it")
                .isFalse();
        assertThat(graph.memberFundedOwner(List.of(ALICE), List.of(BOB))).isFalse();
        assertThat(graph.linked(List.of(BOB), List.of(ALICE))).as("bob buying from alice: her payment funded him").isTrue();
        FundingGraph friend = graph(List.of(transfer(PATRON, ALICE, 1), transfer(PATRON, BOB, 2), transfer(ALICE, BOB, 3)),
                Set.of(tx(3)), Set.of(), 20);
        assertThat(friend.linked(List.of(ALICE), List.of(BOB))).as("a friend who funded both still links them").isTrue();
        assertThat(friend.memberFundedOwner(List.of(ALICE), List.of(BOB))).isFalse();
    }

    @Test
    void whatTheMemberSentTheOwnerOtherThanForAPurchaseLinksThem() {
        // Alice sends bob AIC (no purchase), then buys bob's listing: bob may be her sock puppet.
        FundingGraph gift = graph(List.of(transfer(ALICE, BOB, 1)), Set.of(), Set.of(OPERATOR), 20);
        assertThat(gift.linked(List.of(ALICE), List.of(BOB))).isTrue();
        assertThat(gift.memberFundedOwner(List.of(ALICE), List.of(BOB))).isTrue();
        assertThat(gift.funded(List.of(BOB), List.of(ALICE))).as("one way: bob funded nobody").isFalse();

        FundingGraph boughtAndGave = graph(List.of(transfer(ALICE, BOB, 1), transfer(ALICE, BOB, 2)), Set.of(tx(1)), Set.of(), 20);
        assertThat(boughtAndGave.memberFundedOwner(List.of(ALICE), List.of(BOB)))
                .as("a purchase beside a gift between the same wallets hides nothing").isTrue();
    }

    @Test
    void theMemberFundingTheOwnerThroughOtherWalletsLinksThemWithinTheHops() {
        List<AicTransfer> transfers = List.of(transfer(ALICE, MIDDLE, 1), transfer(MIDDLE, BOB, 2));

        FundingGraph graph = graph(transfers, Set.of(), Set.of(OPERATOR), 20);
        assertThat(graph.linked(List.of(ALICE), List.of(BOB))).isTrue();
        assertThat(graph.memberFundedOwner(List.of(ALICE), List.of(BOB))).isTrue();
        assertThat(new FundingGraph(transfers, Set.of(), Set.of(), Set.of(OPERATOR), 1, 20).linked(List.of(ALICE), List.of(BOB)))
                .as("two hops away").isFalse();
    }

    @Test
    void whatTheMemberBoughtFromAWalletThatFundedTheOwnerLinksNobody() {
        // Alice bought a license from the middle wallet, which later sent bob AIC: her money reached bob through a sale, as
        // it reaches anyone a seller pays.
        FundingGraph graph = graph(List.of(transfer(ALICE, MIDDLE, 1), transfer(MIDDLE, BOB, 2)), Set.of(tx(1)), Set.of(OPERATOR), 20);

        assertThat(graph.linked(List.of(ALICE), List.of(BOB))).isFalse();
        assertThat(graph.memberFundedOwner(List.of(ALICE), List.of(BOB))).isFalse();
    }

    @Test
    void aWalletThatFundedMoreThanTheHubCountLinksNobody() {
        List<AicTransfer> transfers = List.of(transfer(PATRON, ALICE, 1), transfer(PATRON, BOB, 2), transfer(PATRON, MIDDLE, 3));

        assertThat(graph(transfers, Set.of(), 2).linked(List.of(ALICE), List.of(BOB))).isFalse();
        assertThat(graph(transfers, Set.of(), 3).linked(List.of(ALICE), List.of(BOB))).isTrue();
    }

    private static FundingGraph graph(List<AicTransfer> transfers, Set<String> operatorWallets, int hubRecipients) {
        return graph(transfers, Set.of(), operatorWallets, hubRecipients);
    }

    private static FundingGraph graph(List<AicTransfer> transfers, Set<String> purchaseTxs, Set<String> operatorWallets,
                                      int hubRecipients) {
        return new FundingGraph(transfers, Set.of(), purchaseTxs, operatorWallets, 3, hubRecipients);
    }

    /** A transfer in its own transaction, in the block of its number. */
    private static AicTransfer transfer(String from, String to, long block) {
        return new AicTransfer(from, to, BigInteger.TEN.pow(18), block, tx(block));
    }

    private static String tx(long block) {
        return "0x%064x".formatted(block);
    }
}
