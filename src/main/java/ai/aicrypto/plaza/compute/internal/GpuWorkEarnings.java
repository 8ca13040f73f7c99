package ai.aicrypto.plaza.compute.internal;

import java.math.BigInteger;
import java.util.List;

import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.EarningsSource;
import ai.aicrypto.plaza.platform.Aic;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What verified training jobs owe their providers: one settlement each, paid once its JobSettled log is confirmed
 * (with the fee that log reports), pending while due or held for a wallet; one the requester reclaimed is owed nothing.
 * An audit's is paid by the plaza's own transfer, without a fee, once that is confirmed.
 * A pending payment, or one settled before fees were kept, shows the fee JobEscrow takes now.
 */
@Component
class GpuWorkEarnings implements EarningsSource {

    private final JdbcClient jdbc;
    private final Chain chain;

    GpuWorkEarnings(JdbcClient jdbc, Chain chain) {
        this.jdbc = jdbc;
        this.chain = chain;
    }

    @Override
    public List<Earning> earningsOf(long userId) {
        record Row(long jobId, Long auditOf, String offer, BigInteger amount, BigInteger fee, String tx, java.time.Instant created,
                   java.time.Instant executed) {
        }
        // An audit is paid by the plaza's own transfer (AuditPayments): no fee; a transfer sent is paid once confirmed.
        List<Row> rows = jdbc.sql("""
                        SELECT s.job_id, j.audit_of, o.title, s.amount_aic,
                               CASE WHEN j.audit_of IS NOT NULL THEN 0 ELSE s.fee_wei END,
                               CASE WHEN s.state = 'DONE' THEN s.tx_hash END, s.created_at, s.executed_at
                        FROM settlements s JOIN training_jobs j ON j.id = s.job_id
                        LEFT JOIN training_records r ON r.job_id = s.job_id
                        LEFT JOIN gpu_offers o ON o.id = r.offer_id
                        WHERE s.user_id = ? AND s.kind = 'PAY_PROVIDER' AND s.state <> 'ABANDONED' AND s.amount_aic > 0""")
                .param(userId)
                .query((rs, n) -> new Row(rs.getLong(1), (Long) rs.getObject(2), rs.getString(3), Aic.toWei(rs.getBigDecimal(4)),
                        rs.getBigDecimal(5) == null ? null : rs.getBigDecimal(5).toBigIntegerExact(), rs.getString(6),
                        rs.getTimestamp(7).toInstant(), rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant()))
                .list();
        Integer feeBps = rows.stream().anyMatch(r -> r.fee() == null) && chain.enabled() && chain.contracts().jobsPaidOnChain()
                ? chain.jobEscrowFeeBps() : 0;
        return rows.stream().map(r -> new Earning(Earning.Kind.GPU_WORK, null,
                (r.offer() == null ? "" : r.offer() + " · ") + "job " + r.jobId()
                        + (r.auditOf() == null ? "" : " (audit of job " + r.auditOf() + ")"), r.created(), r.amount(),
                r.fee() != null ? r.fee() : Earning.feeAt(r.amount(), feeBps),
                r.tx() == null ? null : r.tx().strip(), r.executed())).toList();
    }
}
