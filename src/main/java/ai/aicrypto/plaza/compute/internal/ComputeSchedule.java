package ai.aicrypto.plaza.compute.internal;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The compute module's periodic work, each task under its lease (see the platform's AsyncConfiguration): of the
 * instances sharing the database one runs it at a time, as often as one instance would. The work itself stays in
 * the classes that own it, callable without a lease (tests call it directly).
 */
@Component
class ComputeSchedule {

    private final JobQueue queue;
    private final JobResults results;
    private final JobDeposits deposits;

    ComputeSchedule(JobQueue queue, JobResults results, JobDeposits deposits) {
        this.queue = queue;
        this.results = results;
        this.deposits = deposits;
    }

    /*
     * Each lease lasts at most one interval: the runs take far less, a run that outlives it beside another instance's
     * changes each row once (conditional updates, row locks), and a dead instance's task resumes at the next interval.
     *
     * Job leases: one UPDATE over the expired leases (and a refund row for each job that ran out of attempts).
     */
    @Scheduled(fixedDelayString = "${plaza.compute.expiry-check:10s}")
    @SchedulerLock(name = "job-lease-expiry", lockAtMostFor = "${plaza.compute.expiry-check:10s}",
            lockAtLeastFor = "${plaza.compute.expiry-check:10s}")
    void expireLeases() {
        queue.expireLeases();
    }

    // Audits cancelled, then each original settled on its recorded verification (its row locked).
    @Scheduled(fixedDelayString = "${plaza.compute.expiry-check:10s}")
    @SchedulerLock(name = "abandoned-audits", lockAtMostFor = "${plaza.compute.expiry-check:10s}",
            lockAtLeastFor = "${plaza.compute.expiry-check:10s}")
    void settleAbandonedAudits() {
        results.settleAbandonedAudits();
    }

    // Up to 100 pending deposits, two RPC calls each; a deposit ends once (only a PENDING row changes).
    @Scheduled(fixedDelayString = "${plaza.market.pending-check-interval:5s}")
    @SchedulerLock(name = "stale-deposits", lockAtMostFor = "${plaza.market.pending-check-interval:5s}",
            lockAtLeastFor = "${plaza.market.pending-check-interval:5s}")
    void settleStaleDeposits() {
        deposits.settleStaleDeposits();
    }
}
