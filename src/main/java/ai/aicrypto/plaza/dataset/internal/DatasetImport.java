package ai.aicrypto.plaza.dataset.internal;

import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.platform.DataSizes;

/**
 * An upload being imported, as its page shows it.
 *
 * @param bytesDone  of the current step: bytes of the upload read (encrypting: of the upload and its shards)
 * @param rowsDone   records found, once profiling has counted them; else null
 * @param listingId  READY: the dataset it became
 * @param reasonKey  REFUSED: why, a message key; {@code reasonArgs} are its arguments
 */
public record DatasetImport(long id, long ownerId, String title, String fileName, Status status, Step step, long bytesDone,
                     long bytesTotal, Long rowsDone, Long listingId, String reasonKey, List<Object> reasonArgs,
                     Instant createdAt) {

    public enum Status {
        PROCESSING, READY, REFUSED
    }

    /** The steps of an import, in order. */
    public enum Step {
        QUEUED, HASHING, PROFILING, PREPROCESSING, ENCRYPTING
    }

    /** Percent of the current step done, 0 to 100. */
    public int percent() {
        return bytesTotal <= 0 ? 0 : (int) Math.min(100, bytesDone * 100 / bytesTotal);
    }

    /** The step's number (1 to 4) for "step 2 of 4"; 0 while queued. */
    public int stepNumber() {
        return step.ordinal();
    }

    public int steps() {
        return Step.values().length - 1;
    }

    public String done() {
        return DataSizes.humanReadable(Math.min(bytesDone, bytesTotal));
    }

    public String total() {
        return DataSizes.humanReadable(bytesTotal);
    }
}
