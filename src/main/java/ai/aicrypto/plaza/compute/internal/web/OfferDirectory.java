package ai.aicrypto.plaza.compute.internal.web;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;

import ai.aicrypto.plaza.compute.internal.ModelFamilies;
import ai.aicrypto.plaza.compute.internal.Reliability;
import ai.aicrypto.plaza.platform.StatementTimeouts;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * GPU offers as people see them: online when a worker's heartbeat is recent, and uptime as the
 * share of minutes with a heartbeat over the last 30 days (or since the offer was made, if later).
 */
@Service
public class OfferDirectory {

    static final Duration UPTIME_WINDOW = Duration.ofDays(30);
    private static final int SWITCHES_SHOWN = 10;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Duration onlineWithin;
    private final StatementTimeouts timeouts;

    private final JsonMapper json;

    OfferDirectory(JdbcClient jdbc, Clock clock, @Value("${plaza.compute.online-within:90s}") Duration onlineWithin,
                   StatementTimeouts timeouts, JsonMapper json) {
        this.json = json;
        this.jdbc = jdbc;
        this.timeouts = timeouts;
        this.clock = clock;
        this.onlineWithin = onlineWithin;
    }

    /** How recent a heartbeat must be for its offer to count as online. */
    Duration onlineWithin() {
        return onlineWithin;
    }

    public enum Sort {
        PRICE("o.price_per_hour_aic, o.measured_score DESC NULLS LAST, o.id"),
        SCORE("o.measured_score DESC NULLS LAST, o.price_per_hour_aic, o.id");

        private final String orderBy;

        Sort(String orderBy) {
            this.orderBy = orderBy;
        }

        static Sort parse(String value) {
            return "score".equalsIgnoreCase(value) ? SCORE : PRICE;
        }
    }

    /** Every offer, for the public listing. */
    List<Offer> all(Sort sort) {
        return offers("TRUE", sort, null);
    }

    /** The offers a worker has heartbeated for within the online threshold. */
    List<Offer> online(Sort sort) {
        return offers("fleet.last_heartbeat >= :onlineSince", sort, null);
    }

    Optional<Offer> find(long offerId) {
        return offers("o.id = :only", Sort.PRICE, offerId).stream().findFirst();
    }

    /** A provider's offers with what they earned and their idle switches. */
    List<ProviderOffer> ofProvider(long providerId) {
        return offers("o.provider_id = :only", Sort.PRICE, providerId).stream().map(offer -> {
            var served = jdbc.sql("""
                            SELECT count(*) AS jobs, coalesce(sum(s.amount_aic), 0) AS earned,
                                   coalesce(sum(s.amount_aic) FILTER (WHERE s.executed_at IS NOT NULL), 0) AS paid
                            FROM training_jobs j JOIN workers w ON w.id = j.served_by
                                 LEFT JOIN settlements s ON s.job_id = j.id AND s.kind = 'PAY_PROVIDER'
                            WHERE w.offer_id = ? AND j.status IN ('SETTLING', 'SUCCEEDED')""")
                    .param(offer.id())
                    .query((rs, n) -> new Object[] {rs.getLong("jobs"), rs.getBigDecimal("earned"), rs.getBigDecimal("paid")}).single();
            List<IdleSwitch> switches = jdbc.sql("""
                            SELECT s.state, s.command, s.switched_at FROM worker_switches s JOIN workers w ON w.id = s.worker_id
                            WHERE w.offer_id = ? ORDER BY s.switched_at DESC, s.id DESC LIMIT ?""")
                    .params(offer.id(), SWITCHES_SHOWN)
                    .query((rs, n) -> new IdleSwitch(rs.getString("state"), rs.getString("command"),
                            rs.getTimestamp("switched_at").toInstant()))
                    .list();
            return new ProviderOffer(offer, (Long) served[0], (BigDecimal) served[1], (BigDecimal) served[2], switches);
        }).toList();
    }

    private List<Offer> offers(String condition, Sort sort, Long only) {
        Instant now = clock.instant();
        Instant since = now.minus(UPTIME_WINDOW).truncatedTo(ChronoUnit.MINUTES);
        return jdbc.sql("""
                        SELECT o.id, o.title, o.gpu_model, o.gpu_memory_mb, o.price_per_hour_aic, o.region, o.serving_price_per_gpu_second_aic,
                               o.measured_score, o.created_at, u.display_name AS provider,
                               fleet.last_heartbeat, fleet.verified_jobs, fleet.rejected_jobs,
                               (SELECT count(DISTINCT h.minute) FROM worker_heartbeats h JOIN workers w ON w.id = h.worker_id
                                WHERE w.offer_id = o.id AND h.minute >= :since AND h.minute <= :now) AS minutes_up,
                               -- what its online workers train, together (a family two of them train: either engine)
                               (SELECT jsonb_object_agg(f.key, f.value)
                                FROM workers w CROSS JOIN LATERAL jsonb_each_text(%s) f
                                WHERE w.offer_id = o.id AND w.last_heartbeat >= :onlineSince)::text AS families
                        FROM gpu_offers o JOIN users u ON u.id = o.provider_id
                        -- the offer's workers together
                        CROSS JOIN LATERAL (SELECT max(last_heartbeat) AS last_heartbeat,
                                                   coalesce(sum(verified_jobs), 0) AS verified_jobs,
                                                   coalesce(sum(rejected_jobs), 0) AS rejected_jobs
                                            FROM workers WHERE offer_id = o.id) fleet
                        WHERE %s
                        ORDER BY %s""".formatted(ModelFamilies.sql("w"), condition, sort.orderBy))
                .param("since", Timestamp.from(since)).param("now", Timestamp.from(now)).param("only", only)
                .param("onlineSince", Timestamp.from(now.minus(onlineWithin)))
                .query((rs, n) -> offer(rs, now, since))
                .list();
    }

    private Offer offer(ResultSet rs, Instant now, Instant since) throws SQLException {
        Timestamp beat = rs.getTimestamp("last_heartbeat");
        Instant lastHeartbeat = beat == null ? null : beat.toInstant();
        Instant created = rs.getTimestamp("created_at").toInstant().truncatedTo(ChronoUnit.MINUTES);
        Instant from = created.isAfter(since) ? created : since;
        // Minute buckets from the first one counted to the current one, both included.
        long minutes = Math.max(1, Duration.between(from, now).toMinutes() + 1);
        double uptime = Math.min(1.0, rs.getLong("minutes_up") / (double) minutes);
        Double score = (Double) rs.getObject("measured_score"); // null: never measured
        return new Offer(rs.getLong("id"), rs.getString("title"), rs.getString("gpu_model"), rs.getInt("gpu_memory_mb"),
                rs.getBigDecimal("price_per_hour_aic"), rs.getString("region"), score,
                rs.getString("provider"), lastHeartbeat,
                lastHeartbeat != null && !lastHeartbeat.isBefore(now.minus(onlineWithin)), uptime,
                rs.getInt("verified_jobs"), rs.getInt("rejected_jobs"), rs.getBigDecimal("serving_price_per_gpu_second_aic"),
                families(rs.getString("families")));
    }

    private Map<String, String> families(String object) {
        Map<String, String> families = new TreeMap<>();
        if (object != null) {
            json.readTree(object).properties().forEach(f -> families.put(f.getKey(), f.getValue().stringValue()));
        }
        return Collections.unmodifiableMap(families);
    }

    /**
     * Heartbeat history older than uptime looks at is no longer needed. Lease: one DELETE of a day's rows, seconds;
     * held at least a minute, since every instance's cron fires at the same moment and one of them is enough.
     */
    @Scheduled(cron = "${plaza.compute.heartbeat-prune-cron:0 17 3 * * *}")
    @Transactional
    @SchedulerLock(name = "heartbeat-prune", lockAtMostFor = "10m", lockAtLeastFor = "1m")
    void pruneHeartbeats() {
        timeouts.lift(); // a day of per-minute rows of every worker: may run past the pool's cap
        jdbc.sql("DELETE FROM worker_heartbeats WHERE minute < ?")
                .param(Timestamp.from(clock.instant().minus(UPTIME_WINDOW).minus(Duration.ofDays(1)))).update();
    }

    /**
     * @param measuredScore training samples per second on the reference model, as the worker measured; null before
     * @param uptime        0 to 1
     * @param verifiedJobs  results of its workers that passed verification
     * @param rejectedJobs  results that failed it (wrong weights, claims the held-out rows did not bear out)
     * @param families      the model families its online workers train, each with its engine (see ModelFamilies);
     *                      empty while none is online
     */
    public record Offer(long id, String title, String gpuModel, int gpuMemoryMb, BigDecimal pricePerHourAic,
                        String region, Double measuredScore, String providerName, Instant lastHeartbeat, boolean online,
                        double uptime, int verifiedJobs, int rejectedJobs, BigDecimal servingPricePerGpuSecondAic,
                        Map<String, String> families) {

        /** Whether a worker of the offer online now trains models of this family (a card's architecture template). */
        public boolean trains(String family) {
            return families.containsKey(family);
        }

        /** Whether the builder's "cheapest" and "fastest" may pick it: no result rejected too often (see Reliability). */
        public boolean vetted() {
            return Reliability.vetted(verifiedJobs, rejectedJobs);
        }

        public boolean trusted() {
            return Reliability.trusted(verifiedJobs, rejectedJobs);
        }

        /** Verified share of its results, rounded down to whole percent; null before any result was judged. */
        public Integer reliabilityPercent() {
            int judged = verifiedJobs + rejectedJobs;
            return judged == 0 ? null : verifiedJobs * 100 / judged;
        }

        /** Rounded down to 0.1 %, so that 99.96 % does not show as 100 %. */
        public double uptimePercent() {
            return Math.floor(uptime * 1000) / 10;
        }
    }

    public record ProviderOffer(Offer offer, long jobsServed, BigDecimal earnedAic, BigDecimal paidAic, List<IdleSwitch> switches) {
    }

    public record IdleSwitch(String state, String command, Instant at) {
    }
}
