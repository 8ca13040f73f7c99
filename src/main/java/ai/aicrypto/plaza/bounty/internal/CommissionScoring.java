package ai.aicrypto.plaza.bounty.internal;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import ai.aicrypto.plaza.market.AssetDelivery;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs and scores commissions' PENDING models off the request, a few at a time ({@value #THREADS} threads, at most
 * {@value #QUEUED} waiting on this instance; the rest wait in PostgreSQL for the sweep). Only this class ends a
 * submission's PENDING state: SCORED with its score, or FAILED with the reason in the developer's language. A periodic
 * sweep fails runs that outlived their instance (started, not ended, well past the scoring time limit) and queues
 * PENDING rows nobody holds, so nothing waits forever after a crash or restart.
 */
@Component
class CommissionScoring implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(CommissionScoring.class);
    static final String FAILED_ERROR = "bounty.commission.failed.error";
    static final String FAILED_STUCK = "bounty.commission.failed.stuck";
    private static final int THREADS = 2;
    private static final int QUEUED = 100;
    /** Beyond the scoring time limit, for a run that is just writing its score. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final JdbcClient jdbc;
    private final AssetDelivery delivery;
    private final BountyService bounties;
    private final CommissionService commissions;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration stuckAfter;
    /** Submissions queued or running on this instance. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor runners;

    CommissionScoring(JdbcClient jdbc, BountyService bounties, CommissionService commissions, AssetDelivery delivery,
                      JsonMapper json, Clock clock, @Value("${plaza.competition.scoring-time-limit:5m}") Duration scoringTimeLimit) {
        this.jdbc = jdbc;
        this.delivery = delivery;
        this.bounties = bounties;
        this.commissions = commissions;
        this.json = json;
        this.clock = clock;
        this.stuckAfter = scoringTimeLimit.plus(GRACE);
        CustomizableThreadFactory threads = new CustomizableThreadFactory("commission-scoring-");
        threads.setDaemon(true);
        this.runners = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUED), threads);
    }

    @TransactionalEventListener(fallbackExecution = true)
    void submitted(CommissionService.ModelSubmitted event) {
        enqueue(event.submissionId());
    }

    void enqueue(long submissionId) {
        if (inFlight.add(submissionId)) {
            try {
                runners.execute(() -> {
                    try {
                        score(submissionId);
                    } finally {
                        inFlight.remove(submissionId);
                    }
                });
            } catch (RejectedExecutionException e) {
                // A full queue: the row stays PENDING and the next sweep queues it again.
                inFlight.remove(submissionId);
                log.info("Commission scoring is busy; submission {} waits for the next sweep", submissionId);
            }
        }
    }

    private record Claimed(long bountyId, long creatorId, long modelId) {
    }

    /** Runs and scores one submission if it is still PENDING and nobody has started it (another instance may have). */
    void score(long submissionId) {
        Optional<Claimed> claimed = jdbc.sql("""
                        UPDATE commission_submissions SET started_at = ?
                        WHERE id = ? AND status = 'PENDING' AND started_at IS NULL
                        RETURNING bounty_id, creator_id, model_id""")
                .params(Timestamp.from(clock.instant()), submissionId)
                .query((rs, n) -> new Claimed(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional();
        if (claimed.isEmpty()) {
            return;
        }
        Claimed c = claimed.get();
        var bounty = bounties.find(c.bountyId());
        double score;
        try {
            score = commissions.score(bounty, c.creatorId(), c.modelId());
        } catch (UserFacingException e) {
            fail(submissionId, e.messageKey(), e.args());
            return;
        } catch (NotFoundException e) {
            fail(submissionId, "bounty.error.model-not-yours");
            return;
        } catch (RuntimeException e) {
            log.warn("Scoring commission submission {} failed", submissionId, e);
            fail(submissionId, FAILED_ERROR);
            return;
        }
        int scored = jdbc.sql("UPDATE commission_submissions SET status = 'SCORED', score = ?, scored_at = ? WHERE id = ? AND status = 'PENDING'")
                .params(score, Timestamp.from(clock.instant()), submissionId).update();
        if (scored == 1 && bounty.passes(score)) {
            // A trained model is private and has no token yet: minted now, it is on the chain by the time its developer
            // offers it.
            delivery.mintForDelivery(c.modelId());
        }
    }

    private void fail(long submissionId, String reasonKey, Object... reasonArgs) {
        // Numbers stay numbers, so that the message formats them in the reader's language.
        List<Object> args = Arrays.stream(reasonArgs)
                .map(a -> a instanceof Number || a instanceof Boolean ? a : String.valueOf(a)).toList();
        jdbc.sql("""
                        UPDATE commission_submissions SET status = 'FAILED', failure = ?, failure_args = CAST(? AS jsonb), scored_at = ?
                        WHERE id = ? AND status = 'PENDING'""")
                .params(reasonKey, json.writeValueAsString(args), Timestamp.from(clock.instant()), submissionId).update();
    }

    /** {@link #sweep} on one instance at a time; it takes milliseconds (runs go to the executor). */
    @Scheduled(fixedDelayString = "${plaza.bounty.commission-sweep-interval:30s}",
            initialDelayString = "${plaza.bounty.commission-sweep-interval:30s}")
    @SchedulerLock(name = "commission-scoring-sweep", lockAtMostFor = "5m")
    void scheduledSweep() {
        sweep();
    }

    /** Fails runs whose instance died, and queues PENDING submissions nobody has started. */
    void sweep() {
        Timestamp now = Timestamp.from(clock.instant());
        int stuck = jdbc.sql("""
                        UPDATE commission_submissions SET status = 'FAILED', failure = ?, failure_args = '[]', scored_at = ?
                        WHERE status = 'PENDING' AND started_at < ?""")
                .params(FAILED_STUCK, now, Timestamp.from(clock.instant().minus(stuckAfter))).update();
        if (stuck > 0) {
            log.warn("{} commission submissions were stuck in their run and are marked failed", stuck);
        }
        jdbc.sql("SELECT id FROM commission_submissions WHERE status = 'PENDING' AND started_at IS NULL ORDER BY id")
                .query(Long.class).list().forEach(this::enqueue);
    }

    @Override
    public void destroy() {
        runners.shutdownNow();
    }
}
