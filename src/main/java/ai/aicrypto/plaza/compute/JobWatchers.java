package ai.aicrypto.plaza.compute;

/**
 * Who besides a training job's requester (and admins) may follow it on its page: another module that queues jobs on
 * someone's behalf names them, e.g. the teammates of a data competition's submitter. They see the job's status and
 * progress, never act on it (cancel, deposit).
 */
public interface JobWatchers {

    /** Whether {@code accountId} may follow job {@code jobId}. */
    boolean mayWatch(long jobId, long accountId);
}
