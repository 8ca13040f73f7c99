package ai.aicrypto.plaza.compute.internal;

import ai.aicrypto.plaza.compute.TrainingRecords;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

@Component
class TrainingRecordLookup implements TrainingRecords {

    private final JdbcClient jdbc;

    TrainingRecordLookup(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public java.util.List<VerifiedTraining> verifiedBetween(java.time.Instant from, java.time.Instant to) {
        return jdbc.sql("""
                        SELECT r.job_id, j.requester_id, r.dataset_id, d.owner_id, r.base_model_id, m.owner_id, r.offer_id,
                               o.provider_id, r.created_at, p.id AS parent_id, p.owner_id AS parent_owner, dep.wallet AS paid_from
                        FROM training_records r JOIN training_jobs j ON j.id = r.job_id
                        JOIN listings d ON d.id = r.dataset_id JOIN listings m ON m.id = r.base_model_id
                        JOIN gpu_offers o ON o.id = r.offer_id LEFT JOIN listings p ON p.id = j.parent_model_id
                        LEFT JOIN job_deposits dep ON dep.job_id = coalesce(j.escrow_job_id, j.id) AND dep.status = 'CONFIRMED'
                            AND NOT EXISTS (SELECT 1 FROM training_pools tp WHERE tp.id = dep.job_id)
                        WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at, r.job_id""")
                .params(java.sql.Timestamp.from(from), java.sql.Timestamp.from(to))
                .query((rs, n) -> new VerifiedTraining(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getTimestamp(9).toInstant(),
                        (Long) rs.getObject("parent_id"), (Long) rs.getObject("parent_owner"), rs.getString("paid_from")))
                .list();
    }

    @Override
    public boolean isTrainedModel(long modelListingId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM training_records WHERE trained_model_id = ?)").param(modelListingId)
                .query(Boolean.class).single();
    }
}
