package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.compute.Settlement;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.IrisJob;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Audits are paid by the plaza (security review L7), against a real chain (anvil) and PostgreSQL: a won audit's
 * payment is a transfer from the escrow operator's AIC float to the auditor's wallet, exactly the settlement's amount,
 * DONE only once confirmed, never sent twice; a float short of it sends nothing and leaves it due; an auditor without a
 * wallet is held until they link one. The audit is the queue's own (submitAudit) and its payment is recorded as
 * JobResults.won records it; that a won audit records it is WorkerProcessTest's (real workers).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditPaymentOnChainTest extends IntegrationTest {

    private static final int AUDITOR = 3, LATE_AUDITOR = 5, OPERATOR = TestChain.ESCROW_OPERATOR;
    private static final BigDecimal AMOUNT = new BigDecimal("2.5");
    private static final BigInteger AMOUNT_WEI = TestChain.AIC.multiply(BigInteger.valueOf(5)).divide(BigInteger.TWO);
    /** Blocks to mine after a transfer's own so that it has the confirmations deployFor configures (2). */
    private static final int BURYING_BLOCKS = 1;
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) {
        chain = TestChain.deployFor(registry);
        // The tests run the task themselves: the scheduler's runs would only race them to the same result.
        registry.add("plaza.compute.escrow.settle-interval", () -> "1h");
    }

    @Autowired
    TestUsers users;
    @Autowired
    Accounts accounts;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    GpuOffers offers;
    @Autowired
    TrainingJobs jobs;
    @Autowired
    JobQueue queue;
    @Autowired
    Settlement settlement;
    @Autowired
    AuditPayments payments;

    AccountPrincipal requester, auditor, lateAuditor;
    long original, originalWorker;
    long paidAudit;

    @BeforeAll
    void anOriginalJob() throws Exception {
        requester = users.member();
        auditor = users.withWallet(AUDITOR);
        lateAuditor = users.member();
        long dataset = IrisJob.dataset(datasets, requester.id());
        long model = IrisJob.softmaxModel(models, requester.id());
        original = jobs.submit(requester.id(), dataset, model, "{\"epochs\": 2}", 0);
        originalWorker = offers.register(users.member().id(), new GpuOffers.NewOffer("GPU " + System.nanoTime(), "RTX 4090",
                24_576, BigDecimal.ONE, "kr-seoul")).workerId();
    }

    @Test
    @Order(1)
    void aFloatShortOfThePaymentSendsNothingAndLeavesItDue() throws Exception {
        chain.fund(TestChain.address(OPERATOR), TestChain.AIC); // 1 AIC: short of 2.5
        paidAudit = wonAudit(auditor);
        BigInteger operatorBefore = chain.balance(OPERATOR), auditorBefore = chain.balance(AUDITOR);

        payments.execute();

        assertThat(state(paidAudit)).isEqualTo("DUE");
        assertThat(count("chain_transactions WHERE purpose LIKE 'transfer:audit:%'")).as("no transaction, not even a failed one")
                .isZero();
        assertThat(chain.balance(OPERATOR)).isEqualTo(operatorBefore);
        assertThat(chain.balance(AUDITOR)).isEqualTo(auditorBefore);
    }

    @Test
    @Order(2)
    void theAuditorIsPaidExactlyTheAmountOnceFromTheOperatorsFloat() throws Exception {
        chain.fund(TestChain.address(OPERATOR), TestChain.AIC.multiply(BigInteger.TEN));
        BigInteger operatorBefore = chain.balance(OPERATOR), auditorBefore = chain.balance(AUDITOR);

        payments.execute();
        assertThat(state(paidAudit)).isEqualTo("SENT");
        String tx = txHash(paidAudit);
        assertThat(chain.receipt(tx).isStatusOK()).isTrue();
        assertThat(earningsCsv(auditor)).as("sent is not paid yet").anySatisfy(row -> assertThat(row)
                .contains(",GPU_WORK,,job " + paidAudit + " (audit of job " + original + "),2.5,0,2.5,PENDING,,"));
        chain.mine(BURYING_BLOCKS);
        payments.execute();

        assertThat(state(paidAudit)).isEqualTo("DONE");
        assertThat(txHash(paidAudit)).isEqualTo(tx);
        assertThat(chain.balance(AUDITOR)).isEqualTo(auditorBefore.add(AMOUNT_WEI));
        assertThat(chain.balance(OPERATOR)).isEqualTo(operatorBefore.subtract(AMOUNT_WEI));
        assertThat(earningsCsv(auditor)).anySatisfy(row -> assertThat(row)
                .contains(",GPU_WORK,,job " + paidAudit + " (audit of job " + original + "),2.5,0,2.5,PAID," + tx + ","));

        // Asked again (another round, a restart): nothing more is sent.
        payments.execute();
        chain.mine(1);
        payments.execute();
        assertThat(chain.balance(AUDITOR)).isEqualTo(auditorBefore.add(AMOUNT_WEI));
        assertThat(jdbc.sql("SELECT sends FROM chain_transactions WHERE purpose LIKE 'transfer:audit:%'").query(Integer.class).list())
                .containsExactly(1);
    }

    @Test
    @Order(3)
    void anAuditorWithoutAWalletIsHeldUntilTheyLinkOne() throws Exception {
        long held = wonAudit(lateAuditor);

        payments.execute();
        assertThat(state(held)).isEqualTo("HELD_NO_WALLET");
        assertThat(count("chain_transactions WHERE purpose = 'transfer:audit:" + settlementId(held) + "'")).isZero();

        BigInteger before = chain.balance(LATE_AUDITOR);
        accounts.linkWalletTrusted(lateAuditor.id(), TestChain.address(LATE_AUDITOR));
        await().atMost(Duration.ofSeconds(10)).until(() -> state(held).equals("DUE"));
        payments.execute();
        chain.mine(BURYING_BLOCKS);
        payments.execute();
        assertThat(state(held)).isEqualTo("DONE");
        assertThat(chain.balance(LATE_AUDITOR)).isEqualTo(before.add(AMOUNT_WEI));
    }

    /** An audit of the original on another provider's worker, won: succeeded, and its payment recorded as JobResults.won does. */
    private long wonAudit(AccountPrincipal who) {
        long audit = queue.submitAudit(original, 1, originalWorker);
        jdbc.sql("UPDATE training_jobs SET status = 'SUCCEEDED' WHERE id = ?").param(audit).update();
        settlement.payProvider(audit, who.id(), AMOUNT, "Audit of epoch 1 of job " + original + ", paid by the plaza");
        return audit;
    }

    private String state(long job) {
        return jdbc.sql("SELECT state FROM settlements WHERE job_id = ? AND kind = 'PAY_PROVIDER'").param(job).query(String.class).single();
    }

    private String txHash(long job) {
        return jdbc.sql("SELECT tx_hash FROM settlements WHERE job_id = ? AND kind = 'PAY_PROVIDER'").param(job)
                .query(String.class).single().strip();
    }

    private long settlementId(long job) {
        return jdbc.sql("SELECT id FROM settlements WHERE job_id = ? AND kind = 'PAY_PROVIDER'").param(job).query(Long.class).single();
    }
}
