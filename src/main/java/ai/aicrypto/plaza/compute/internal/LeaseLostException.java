package ai.aicrypto.plaza.compute.internal;

/**
 * The calling worker held this job once but holds it no longer (its lease expired, the job was
 * cancelled or finished): the worker API answers 409 and the worker abandons the job.
 */
class LeaseLostException extends RuntimeException {

    LeaseLostException(long jobId) {
        super("Job " + jobId + " is no longer leased to this worker");
    }
}
