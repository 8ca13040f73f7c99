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
        record Row(long jobId, String offer, BigInteger amount, BigInteger fee, String tx, java.time.Instant created,
                   java.time.Instant executed) {
        }
        List<Row> rows = jdbc.sql("""
                        SELECT s.job_id, o.title, s.amount_aic, s.fee_wei, s.tx_hash, s.created_at, s.executed_at
                        FROM settlements s
                        LEFT JOIN training_records r ON r.job_id = s.job_id
                        LEFT JOIN gpu_offers o ON o.id = r.offer_id
                        WHERE s.user_id = ? AND s.kind = 'PAY_PROVIDER' AND s.state <> 'ABANDONED' AND s.amount_aic > 0""")
                .param(userId)
                .query((rs, n) -> new Row(rs.getLong(1), rs.getString(2), Aic.toWei(rs.getBigDecimal(3)),
                        rs.getBigDecimal(4) == null ? null : rs.getBigDecimal(4).toBigIntegerExact(), rs.getString(5),
                        rs.getTimestamp(6).toInstant(), rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant()))
                .list();
        Integer feeBps = rows.stream().anyMatch(r -> r.fee() == null) && chain.enabled() && chain.contracts().jobsPaidOnChain()
                ? chain.jobEscrowFeeBps() : 0;
        return rows.stream().map(r -> new Earning(Earning.Kind.GPU_WORK, null,
                (r.offer() == null ? "" : r.offer() + " · ") + "job " + r.jobId(), r.created(), r.amount(),
                r.fee() != null ? r.fee() : Earning.feeAt(r.amount(), feeBps),
                r.tx() == null ? null : r.tx().strip(), r.executed())).toList();
    }
}
