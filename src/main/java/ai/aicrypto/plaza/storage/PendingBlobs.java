package ai.aicrypto.plaza.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * How a blob is stored ahead of the row that will name it, so that it is never stored unknown: an instance killed
 * between storing a blob and recording it would otherwise leave an orphan that nothing finds. The one owner of that
 * pending state:
 * <ol>
 *     <li>{@link #write} and {@link #encrypt} commit the blob's key as pending, in a transaction of their own, before
 *     the blob is put in place (the write's {@code beforeStoring}, see {@link BlobStore#write});</li>
 *     <li>{@link #kept}, in the transaction that records the blob where it belongs, ends its pending state when that
 *     transaction commits;</li>
 *     <li>{@link #discard} deletes a blob whose recording failed, and its pending state.</li>
 * </ol>
 * The instance that wrote a pending blob touches it while it lives; one left untouched for minutes (its instance died,
 * or lost the database, between the steps) is deleted with its blob by {@link #deleteAbandoned}, which runs every
 * minute on one instance at a time. (A dataset import records its blobs with the import instead, and its own sweep
 * deletes those of an abandoned import.)
 */
public interface PendingBlobs {

    /** Stores what {@code writer} writes, pending; a failure leaves nothing stored. */
    BlobStore.StoredBlob write(BlobStore.BlobWriter writer) throws IOException;

    /** Encrypts {@code plaintext} under {@code key} for {@code context} into the store, pending; as {@link #write}. */
    default BlobStore.StoredBlob encrypt(DataKeys.DataKey key, InputStream plaintext, String context) throws IOException {
        return encrypt(key, plaintext::transferTo, context);
    }

    /** Encrypts what {@code plaintext} writes, as it writes it; as {@link #encrypt(DataKeys.DataKey, InputStream, String)}. */
    BlobStore.StoredBlob encrypt(DataKeys.DataKey key, BlobStore.BlobWriter plaintext, String context) throws IOException;

    /**
     * The blobs are recorded where they belong: their pending state ends with the caller's transaction.
     *
     * @throws Abandoned             when a key is no longer pending (a sweep found it abandoned and deleted its blob):
     *                               the caller's transaction must then roll back
     * @throws IllegalStateException outside a transaction
     */
    void kept(Collection<String> keys);

    default void kept(String key) {
        kept(List.of(key));
    }

    /**
     * A blob was deleted as abandoned before its writer recorded it: the writer took longer than
     * {@link BlobLifetimes#pendingAbandonedAfter} without touching it (its instance lost the database meanwhile). The
     * member is told to send it again, in their language.
     */
    final class Abandoned extends UserFacingException {

        private final String key;

        public Abandoned(String key) {
            super(null, "error.blob-abandoned");
            this.key = key;
        }

        @Override
        public String getMessage() {
            return "Blob " + key + " is no longer pending: it was found abandoned and deleted";
        }
    }

    /** Deletes the blob and its pending state; absent ones are ignored, so cleanup after a failure may call it freely. */
    void discard(String key);

    /**
     * Deletes the blobs left pending, untouched, by instances that died, and their pending state.
     *
     * @return how many were deleted
     */
    int deleteAbandoned();
}
