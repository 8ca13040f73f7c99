package ai.aicrypto.plaza.serving.internal;

import java.math.BigInteger;
import java.util.List;

import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.EarningsSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What paid calls earned a model's owner: their charges per model, day and settlement batch. A charge is paid once its
 * batch's UsageSettled log is confirmed (a reorganisation that drops it makes the batch due, and the charge pending,
 * again). The fee of a settled batch is the one its log reports, shared among its charges by amount (rounded down, so
 * a payee's share may be a few wei under the contract's per-entry rounding); a pending charge shows the fee UsageCredit
 * would take now.
 */
@Component
class UsageEarnings implements EarningsSource {

    private final JdbcClient jdbc;
    private final Chain chain;

    UsageEarnings(JdbcClient jdbc, Chain chain) {
        this.jdbc = jdbc;
        this.chain = chain;
    }

    @Override
    public List<Earning> earningsOf(long userId) {
        record Group(long modelId, String title, BigInteger charged, java.time.Instant last, String tx, java.time.Instant settledAt,
                     BigInteger batchTotal, BigInteger batchFee) {
        }
        List<Group> groups = jdbc.sql("""
                        SELECT c.model_id, l.title, sum(c.amount_wei), max(c.created_at),
                               b.tx_hash, b.settled_at, b.total_wei, b.fee_wei
                        FROM credit_charges c JOIN listings l ON l.id = c.model_id
                        LEFT JOIN credit_batches b ON b.id = c.batch_id AND b.state = 'DONE'
                        WHERE c.payee_id = ?
                        GROUP BY c.model_id, l.title, date_trunc('day', c.created_at, 'UTC'), b.id""")
                .param(userId)
                .query((rs, n) -> new Group(rs.getLong(1), rs.getString(2), rs.getBigDecimal(3).toBigIntegerExact(),
                        rs.getTimestamp(4).toInstant(), rs.getString(5),
                        rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(),
                        rs.getBigDecimal(7) == null ? null : rs.getBigDecimal(7).toBigIntegerExact(),
                        rs.getBigDecimal(8) == null ? null : rs.getBigDecimal(8).toBigIntegerExact()))
                .list();
        Integer pendingFeeBps = groups.stream().anyMatch(g -> g.tx() == null) ? chain.usageFeeBps() : null;
        return groups.stream().map(g -> {
            BigInteger fee = g.tx() == null ? Earning.feeAt(g.charged(), pendingFeeBps)
                    : g.charged().multiply(g.batchFee()).divide(g.batchTotal());
            return new Earning(Earning.Kind.API_CALLS, g.modelId(), g.title(), g.last(), g.charged(), fee,
                    g.tx() == null ? null : g.tx().strip(), g.settledAt());
        }).toList();
    }
}
