package ai.aicrypto.plaza.compute.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.earnings.OfferUtilisation;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A provider's offers per day, from the per-minute heartbeat rows (kept 30 days) and the job attempts leased to their
 * workers. An attempt holds its worker from its lease until its result was uploaded, the job's next attempt was leased,
 * or the job ended (still running: now); a heartbeat minute inside that span counts as leased.
 */
@Component
class OfferUsageHours implements OfferUtilisation {

    private final JdbcClient jdbc;

    OfferUsageHours(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<OfferDay> daysOf(long providerId, Instant since) {
        return jdbc.sql("""
                        WITH spans AS (
                            SELECT a.worker_id, a.leased_at AS from_at,
                                   coalesce(r.uploaded_at,
                                            (SELECT min(b.leased_at) FROM job_attempts b WHERE b.job_id = a.job_id AND b.attempt > a.attempt),
                                            CASE WHEN j.status IN ('QUEUED', 'LEASED') THEN now() ELSE j.updated_at END) AS to_at
                            FROM job_attempts a
                            JOIN training_jobs j ON j.id = a.job_id
                            JOIN workers w ON w.id = a.worker_id
                            JOIN gpu_offers o ON o.id = w.offer_id AND o.provider_id = :provider
                            LEFT JOIN job_results r ON r.job_id = a.job_id AND r.attempt = a.attempt)
                        SELECT o.id, o.title, (h.minute AT TIME ZONE 'UTC')::date AS day, count(*) AS online,
                               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM spans s WHERE s.worker_id = h.worker_id
                                                              AND s.from_at < h.minute + interval '1 minute' AND s.to_at > h.minute)) AS leased,
                               count(DISTINCT h.minute) AS up
                        FROM gpu_offers o
                        JOIN workers w ON w.offer_id = o.id
                        JOIN worker_heartbeats h ON h.worker_id = w.id AND h.minute >= :since
                        WHERE o.provider_id = :provider
                        GROUP BY o.id, o.title, day
                        ORDER BY day, o.id""")
                .param("provider", providerId).param("since", Timestamp.from(since))
                .query((rs, n) -> new OfferDay(rs.getLong(1), rs.getString(2), rs.getObject(3, java.time.LocalDate.class),
                        rs.getLong(4), rs.getLong(5), rs.getLong(6)))
                .list();
    }
}
