package ai.aicrypto.plaza.worker.plaza;

/** The plaza says the job is no longer leased to this worker (409: cancelled, expired or finished): abandon it. */
public class LeaseLostException extends RuntimeException {
    public LeaseLostException(long jobId) {
        super("job " + jobId + " is no longer leased to this worker");
    }
}
