package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;

import ai.aicrypto.plaza.compute.Settlement;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Settlement as rows in {@code settlements}, written in the caller's transaction (so a settlement
 * exists exactly when the job's verdict committed). At most one of each kind per job.
 */
@Component
class RecordedSettlement implements Settlement {

    private final JdbcClient jdbc;

    RecordedSettlement(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void payProvider(long jobId, long providerId, BigDecimal amountAic, String reason) {
        record(jobId, "PAY_PROVIDER", providerId, amountAic, reason);
    }

    /** A job paid from a training pool has no deposit of its own: what it did not spend stays in the pool. */
    @Override
    public void refundRequester(long jobId, long requesterId, String reason) {
        boolean pooled = jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM training_jobs j JOIN training_pools p ON p.id = j.escrow_job_id WHERE j.id = ?)""")
                .param(jobId).query(Boolean.class).single();
        if (!pooled) {
            record(jobId, "REFUND_REQUESTER", requesterId, null, reason);
        }
    }

    private void record(long jobId, String kind, long userId, BigDecimal amount, String reason) {
        jdbc.sql("""
                        INSERT INTO settlements (job_id, kind, user_id, amount_aic, reason) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (job_id, kind) DO NOTHING""")
                .params(jobId, kind, userId, amount, reason).update();
    }
}
