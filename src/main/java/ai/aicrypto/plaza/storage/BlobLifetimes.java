package ai.aicrypto.plaza.storage;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How long leftovers of a writer that died wait before they are deleted.
 *
 * @param pendingAbandonedAfter    a pending blob's key untouched this long (its instance touches it every minute while
 *                                 it lives) is taken as abandoned, and deleted with its blob; at least 3 minutes
 * @param temporaryFilesStaleAfter a temporary file under {@code data/work} or {@code data/blobs/incoming} untouched this
 *                                 long is deleted (checked every 10 minutes); at least 10 minutes, and more than the
 *                                 longest upload or work step takes to write a file
 */
@ConfigurationProperties("plaza.blob")
public record BlobLifetimes(Duration pendingAbandonedAfter, Duration temporaryFilesStaleAfter) {

    public BlobLifetimes {
        pendingAbandonedAfter = pendingAbandonedAfter == null ? Duration.ofMinutes(5) : pendingAbandonedAfter;
        temporaryFilesStaleAfter = temporaryFilesStaleAfter == null ? Duration.ofHours(1) : temporaryFilesStaleAfter;
        if (pendingAbandonedAfter.compareTo(Duration.ofMinutes(3)) < 0) {
            throw new IllegalArgumentException("PLAZA_BLOB_PENDING_ABANDONED_AFTER: " + pendingAbandonedAfter
                    + " is under 3 minutes; a live instance touches its pending blobs every minute, so a shorter wait "
                    + "would delete blobs being recorded");
        }
        if (temporaryFilesStaleAfter.compareTo(Duration.ofMinutes(10)) < 0) {
            throw new IllegalArgumentException("PLAZA_BLOB_TEMPORARY_FILES_STALE_AFTER: " + temporaryFilesStaleAfter
                    + " is under 10 minutes, shorter than an upload may take to spool");
        }
    }
}
