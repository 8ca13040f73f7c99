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
 * the hops; a wallet past the hub count (an exchange) links nobody; what a member paid an owner (a repeat customer)
 * links only the other way.
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
        assertThat(new FundingGraph(transfers, Set.of(), Set.of(OPERATOR), 1, 20).linked(List.of(ALICE), List.of(BOB)))
                .as("alice's funding came two hops away from the patron").isFalse();
    }

    @Test
    void whatTheMemberPaidTheOwnerLinksNobodyWhileTheOwnersPaymentToTheMemberDoes() {
        // Alice bought a license of bob's in an earlier epoch (her payment, not one of this epoch's uses); her friend had
        // sent her the AIC for it.
        List<AicTransfer> transfers = List.of(transfer(PATRON, ALICE, 1), transfer(ALICE, BOB, 2));

        FundingGraph graph = graph(transfers, Set.of(OPERATOR), 20);
        assertThat(graph.linked(List.of(ALICE), List.of(BOB)))
                .as("a repeat customer buying from bob again: neither her payment nor her friend's money reaching bob through it")
                .isFalse();
        assertThat(graph.linked(List.of(BOB), List.of(ALICE))).as("bob buying from alice: her payment funded him").isTrue();
        assertThat(graph(List.of(transfer(PATRON, ALICE, 1), transfer(PATRON, BOB, 2), transfer(ALICE, BOB, 3)), Set.of(), 20)
                .linked(List.of(ALICE), List.of(BOB))).as("a friend who funded both still links them").isTrue();
    }

    @Test
    void aWalletThatFundedMoreThanTheHubCountLinksNobody() {
        List<AicTransfer> transfers = List.of(transfer(PATRON, ALICE, 1), transfer(PATRON, BOB, 2), transfer(PATRON, MIDDLE, 3));

        assertThat(graph(transfers, Set.of(), 2).linked(List.of(ALICE), List.of(BOB))).isFalse();
        assertThat(graph(transfers, Set.of(), 3).linked(List.of(ALICE), List.of(BOB))).isTrue();
    }

    private static FundingGraph graph(List<AicTransfer> transfers, Set<String> operatorWallets, int hubRecipients) {
        return new FundingGraph(transfers, Set.of(), operatorWallets, 3, hubRecipients);
    }

    private static AicTransfer transfer(String from, String to, long block) {
        return new AicTransfer(from, to, BigInteger.TEN.pow(18), block, "0x%064x".formatted(block));
    }
}
