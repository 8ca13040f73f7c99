package ai.aicrypto.plaza.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestChain;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.event.EventListener;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The chain module's escrow calls against a real chain (anvil): a deposit made from the permit and
 * calldata the plaza prepares, the operator's settle / refund / finalize / assignWinner, and the
 * watcher's ChainLog events for each, with the exact amounts the contracts moved.
 */
@Import(EscrowCallsTest.Recorder.class)
class EscrowCallsTest extends IntegrationTest {

    private static final int HOST = 1, REQUESTER = 2, PROVIDER = 3, WINNER = 4, LATE_WINNER = 5;
    private static final BigInteger AIC = TestChain.AIC;
    private static TestChain testChain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) throws Exception {
        testChain = TestChain.deployFor(registry);
        registry.add("plaza.chain.replace-after", () -> "1s");
    }

    @Autowired
    Chain chain;
    @Autowired
    Recorder recorder;

    @Test
    void aJobDepositedWithAPermitIsSettledWithExactAmounts() throws Exception {
        long jobId = 9_000_001;
        BigInteger budget = AIC.multiply(BigInteger.TEN), price = AIC.multiply(BigInteger.valueOf(4));
        testChain.fund(TestChain.address(REQUESTER), budget);
        deposit(jobId, REQUESTER, budget);
        BigInteger requesterAfterDeposit = testChain.balance(REQUESTER), providerBefore = testChain.balance(PROVIDER);

        var funded = awaitLog(ChainLog.JobFunded.class, l -> l.jobId() == jobId);
        assertThat(funded.requester()).isEqualTo(TestChain.address(REQUESTER).toLowerCase());
        assertThat(funded.budget()).isEqualTo(budget);
        String requester = TestChain.address(REQUESTER).toLowerCase(), provider = TestChain.address(PROVIDER).toLowerCase();
        var escrowed = chain.escrowedJob(requester, jobId);
        assertThat(escrowed.status()).isEqualTo(Chain.EscrowStatus.FUNDED);
        assertThat(escrowed.budget()).isEqualTo(budget);
        assertThat(escrowed.deadline()).isEqualTo(funded.deadline());
        assertThat(escrowed.provider()).isNull();
        // The escrow pays only the provider the operator assigned the job to.
        assertThatThrownBy(() -> chain.settleJob(requester, jobId, price)).isInstanceOf(RuntimeException.class);
        assertThat(testChain.receipt(chain.assignJob(requester, jobId, provider)).isStatusOK()).isTrue();
        assertThat(chain.escrowedJob(requester, jobId).provider()).isEqualTo(provider);

        String tx = chain.settleJob(requester, jobId, price);
        assertThat(testChain.receipt(tx).isStatusOK()).isTrue();
        testChain.mine(1);
        var settled = awaitLog(ChainLog.JobSettled.class, l -> l.jobId() == jobId);
        BigInteger fee = price.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(settled.txHash()).isEqualTo(tx);
        assertThat(settled.fee()).isEqualTo(fee);
        assertThat(settled.refunded()).isEqualTo(budget.subtract(price));
        assertThat(testChain.balance(PROVIDER)).isEqualTo(providerBefore.add(price).subtract(fee));
        assertThat(testChain.balance(REQUESTER)).isEqualTo(requesterAfterDeposit.add(budget).subtract(price));
        assertThat(chain.escrowedJob(requester, jobId).status()).isEqualTo(Chain.EscrowStatus.SETTLED);
        // Settled once: asked again, the plaza sends nothing and answers with the transaction it sent.
        BigInteger providerAfter = testChain.balance(PROVIDER);
        assertThat(chain.settleJob(requester, jobId, price)).isEqualTo(tx);
        assertThat(testChain.balance(PROVIDER)).isEqualTo(providerAfter);
    }

    @Test
    void partsOfOneDepositArePaidOnceEachToTheirProvidersAndTheRestRefunded() throws Exception {
        long jobId = 9_000_006, part = 9_000_007;
        BigInteger budget = AIC.multiply(BigInteger.TEN), price = AIC.multiply(BigInteger.valueOf(4));
        testChain.fund(TestChain.address(REQUESTER), budget);
        deposit(jobId, REQUESTER, budget);
        BigInteger requesterAfterDeposit = testChain.balance(REQUESTER), providerBefore = testChain.balance(PROVIDER);
        String requester = TestChain.address(REQUESTER).toLowerCase(), provider = TestChain.address(PROVIDER).toLowerCase();
        assertThat(chain.jobPartReleased(requester, jobId, part)).isFalse();

        String tx = chain.releaseJobPart(requester, jobId, part, provider, price);
        assertThat(testChain.receipt(tx).isStatusOK()).isTrue();
        testChain.mine(1);
        var released = awaitLog(ChainLog.JobReleased.class, l -> l.jobId() == jobId);
        BigInteger fee = price.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(released.txHash()).isEqualTo(tx);
        assertThat(released.partId()).isEqualTo(part);
        assertThat(released.requester()).isEqualTo(requester);
        assertThat(released.provider()).isEqualTo(provider);
        assertThat(released.fee()).isEqualTo(fee);
        assertThat(released.remaining()).isEqualTo(budget.subtract(price));
        assertThat(chain.jobPartReleased(requester, jobId, part)).isTrue();
        assertThat(chain.escrowedJob(requester, jobId).status()).isEqualTo(Chain.EscrowStatus.FUNDED);
        assertThat(chain.escrowedJob(requester, jobId).budget()).isEqualTo(budget.subtract(price));
        // Paid once: asked again, the plaza sends nothing new and the escrow would refuse it anyway.
        assertThat(chain.releaseJobPart(requester, jobId, part, provider, price)).isEqualTo(tx);
        assertThat(testChain.balance(PROVIDER)).isEqualTo(providerBefore.add(price).subtract(fee));

        assertThat(testChain.receipt(chain.refundJob(requester, jobId)).isStatusOK()).isTrue();
        testChain.mine(1);
        assertThat(awaitLog(ChainLog.JobRefunded.class, l -> l.jobId() == jobId).amount()).isEqualTo(budget.subtract(price));
        assertThat(testChain.balance(REQUESTER)).isEqualTo(requesterAfterDeposit.add(budget).subtract(price));
    }

    @Test
    void aRefundReturnsTheWholeBudget() throws Exception {
        long jobId = 9_000_002;
        BigInteger budget = AIC.multiply(BigInteger.valueOf(3));
        testChain.fund(TestChain.address(REQUESTER), budget);
        BigInteger before = testChain.balance(REQUESTER);
        deposit(jobId, REQUESTER, budget);
        assertThat(testChain.balance(REQUESTER)).isEqualTo(before.subtract(budget));
        assertThat(testChain.receipt(chain.refundJob(TestChain.address(REQUESTER).toLowerCase(), jobId)).isStatusOK()).isTrue();
        testChain.mine(1);
        var refunded = awaitLog(ChainLog.JobRefunded.class, l -> l.jobId() == jobId);
        assertThat(refunded.amount()).isEqualTo(budget);
        assertThat(testChain.balance(REQUESTER)).isEqualTo(before);
    }

    @Test
    void aCompetitionPoolIsPaidByTheSplitAndAHeldPrizeAssignedLater() throws Exception {
        long id = 9_000_003;
        BigInteger pool = AIC.multiply(BigInteger.valueOf(100)).add(BigInteger.ONE); // one wei of dust for first place
        testChain.fund(TestChain.address(HOST), pool);
        long start = testChain.now() + 10, end = start + 3600;
        long deadline = testChain.now() + 600;
        String typed = chain.permitTypedData(TestChain.address(HOST).toLowerCase(), chain.contracts().competitionEscrow(), pool, deadline);
        String data = chain.fundWithPermitCall(id, start, end, List.of(7000, 3000), pool, deadline,
                TestChain.signTypedData(HOST, typed));
        assertThat(testChain.send(HOST, chain.contracts().competitionEscrow(), data).isStatusOK()).isTrue();
        testChain.mine(1);
        var funded = awaitLog(ChainLog.CompetitionFunded.class, l -> l.competitionId() == id);
        assertThat(funded.pool()).isEqualTo(pool);
        assertThat(funded.splitBps()).containsExactly(7000, 3000);
        assertThat(funded.startTime()).isEqualTo(start);

        String host = TestChain.address(HOST).toLowerCase();
        testChain.warp(15);
        // Not before the end: the operator cannot pay a pool out while the competition runs.
        assertThatThrownBy(() -> chain.finalizeCompetition(host, id, List.of(TestChain.address(WINNER),
                "0x0000000000000000000000000000000000000000"))).isInstanceOf(RuntimeException.class);
        testChain.warp(3600);
        BigInteger winnerBefore = testChain.balance(WINNER);
        try {
            assertThat(testChain.receipt(chain.finalizeCompetition(host, id, List.of(TestChain.address(WINNER),
                    "0x0000000000000000000000000000000000000000"))).isStatusOK()).isTrue();
        } finally {
            testChain.resetClock();
        }
        testChain.mine(1);
        var finalized = awaitLog(ChainLog.CompetitionFinalized.class, l -> l.competitionId() == id);
        BigInteger second = pool.multiply(BigInteger.valueOf(3000)).divide(BigInteger.valueOf(10_000));
        assertThat(finalized.held()).isEqualTo(second);
        assertThat(finalized.paid()).isEqualTo(pool.subtract(second));
        assertThat(awaitLog(ChainLog.PrizeHeld.class, l -> l.competitionId() == id).place()).isEqualTo(1);
        assertThat(testChain.balance(WINNER)).isEqualTo(winnerBefore.add(pool.subtract(second)));

        assertThat(finalized.host()).isEqualTo(host);
        assertThat(testChain.receipt(chain.assignWinner(host, id, 1, TestChain.address(LATE_WINNER))).isStatusOK()).isTrue();
        testChain.mine(1);
        var paid = awaitLog(ChainLog.PrizePaid.class, l -> l.competitionId() == id && l.place() == 1);
        assertThat(paid.winner()).isEqualTo(TestChain.address(LATE_WINNER).toLowerCase());
        assertThat(paid.amount()).isEqualTo(second);
        assertThat(paid.host()).isEqualTo(host);
        assertThat(chain.escrowedCompetition(host, id).status()).isEqualTo(Chain.PoolStatus.FINALIZED);
    }

    @Test
    void aSettlementNotMinedInTimeIsReplacedWithTheSameNonceAndPaidOnce() throws Exception {
        long jobId = 9_000_004;
        BigInteger budget = AIC.multiply(BigInteger.valueOf(5)), price = AIC.multiply(BigInteger.TWO);
        testChain.fund(TestChain.address(REQUESTER), budget);
        deposit(jobId, REQUESTER, budget);
        String requester = TestChain.address(REQUESTER).toLowerCase(), provider = TestChain.address(PROVIDER).toLowerCase();
        assertThat(testChain.receipt(chain.assignJob(requester, jobId, provider)).isStatusOK()).isTrue();
        BigInteger providerBefore = testChain.balance(PROVIDER);
        testChain.automine(false);
        String first, replacement;
        try {
            first = chain.settleJob(requester, jobId, price);
            assertThat(chain.settleJob(requester, jobId, price)).as("pending: not sent again").isEqualTo(first);
            Thread.sleep(1_500); // plaza.chain.replace-after is 1 s here
            replacement = chain.settleJob(requester, jobId, price);
        } finally {
            testChain.automine(true);
        }
        testChain.mine(1);
        assertThat(replacement).isNotEqualTo(first);
        var sent = jdbc.sql("SELECT nonce, sends FROM chain_transactions WHERE tx_hash = ?").param(replacement).query().singleRow();
        assertThat(sent.get("sends")).isEqualTo(2);
        var firstTx = testChain.web3j.ethGetTransactionByHash(first).send().getTransaction();
        assertThat(firstTx).as("the replaced transaction is gone").isEmpty();
        var mined = testChain.web3j.ethGetTransactionByHash(replacement).send().getTransaction().orElseThrow();
        assertThat(mined.getNonce().longValueExact()).isEqualTo(((Number) sent.get("nonce")).longValue());
        awaitLog(ChainLog.JobSettled.class, l -> l.jobId() == jobId);
        BigInteger fee = price.multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
        assertThat(testChain.balance(PROVIDER)).as("paid once").isEqualTo(providerBefore.add(price).subtract(fee));
    }

    /**
     * A plain transfer has no contract to refuse paying twice: a replaced transfer that a miner takes instead of its
     * replacement is the purpose's transaction from then on, never signed anew; confirmed only once buried.
     */
    @Test
    void aReplacedTransferMinedInsteadOfItsReplacementIsThePurposesAndIsNotPaidAgain() throws Exception {
        String purpose = "test:" + System.nanoTime(), to = TestChain.address(LATE_WINNER);
        BigInteger amount = AIC.multiply(BigInteger.valueOf(3));
        testChain.fund(TestChain.address(TestChain.ESCROW_OPERATOR), amount);
        assertThat(chain.operatorAicBalance()).isEqualTo(testChain.balance(TestChain.ESCROW_OPERATOR));
        BigInteger before = testChain.balance(LATE_WINNER);
        testChain.automine(false);
        String first, replacement;
        try {
            first = chain.transferAic(purpose, to, amount);
            String firstRaw = jdbc.sql("SELECT raw FROM chain_transactions WHERE purpose = ?").param("transfer:" + purpose)
                    .query(String.class).single();
            Thread.sleep(1_500); // plaza.chain.replace-after is 1 s here
            replacement = chain.transferAic(purpose, to, amount);
            assertThat(replacement).isNotEqualTo(first);
            // The node loses the replacement, and the original is mined after all.
            testChain.dropTransaction(replacement);
            assertThat(testChain.web3j.ethSendRawTransaction(firstRaw).send().hasError()).isFalse();
            testChain.mine(1);
            assertThat(chain.confirmedTransactionState(first)).as("mined, not yet buried").isEqualTo(Chain.TxState.PENDING);
            assertThat(chain.transactionState(replacement)).isEqualTo(Chain.TxState.UNKNOWN);
            assertThat(chain.transferAic(purpose, to, amount)).as("the original is the purpose's").isEqualTo(first);
            assertThat(chain.transferAic(purpose, to, amount)).isEqualTo(first);
            testChain.mine(1);
        } finally {
            testChain.automine(true);
        }
        assertThat(chain.confirmedTransactionState(first)).isEqualTo(Chain.TxState.SUCCEEDED);
        assertThat(testChain.balance(LATE_WINNER)).as("paid once").isEqualTo(before.add(amount));
        assertThat(jdbc.sql("SELECT sends FROM chain_transactions WHERE purpose = ?").param("transfer:" + purpose)
                .query(Integer.class).single()).isEqualTo(2);
    }

    private void deposit(long jobId, int account, BigInteger budget) throws Exception {
        long deadline = testChain.now() + 600;
        String typed = chain.permitTypedData(TestChain.address(account).toLowerCase(), chain.contracts().jobEscrow(), budget, deadline);
        String data = chain.depositWithPermitCall(jobId, budget, 3600, deadline, TestChain.signTypedData(account, typed));
        assertThat(testChain.send(account, chain.contracts().jobEscrow(), data).isStatusOK()).isTrue();
        testChain.mine(1);
    }

    private <T extends ChainLog> T awaitLog(Class<T> type, java.util.function.Predicate<T> match) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> recorder.logs.stream().filter(type::isInstance).map(type::cast)
                .filter(match).findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    /** Every ChainLog the watcher publishes, as it publishes it. */
    @TestConfiguration
    static class Recorder {

        final List<ChainLog> logs = new CopyOnWriteArrayList<>();

        @EventListener
        void on(ChainLog log) {
            logs.add(log);
        }
    }
}
