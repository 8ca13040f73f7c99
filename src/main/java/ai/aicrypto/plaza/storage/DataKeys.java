package ai.aicrypto.plaza.storage;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.function.Consumer;

/**
 * Envelope encryption. Each stored item (a dataset, a model's weights) gets its own data key;
 * only its wrapped form (encrypted under the master key) is kept, next to the item's row.
 * Content is encrypted with AES-256-GCM in 1 MiB segments, so files of any size stream through in
 * bounded memory and any tampered segment fails decryption.
 */
public interface DataKeys {

    DataKey generate();

    /** Unwraps a stored key; fails if it was not wrapped by this master key or was altered. */
    DataKey unwrap(byte[] wrapped) throws GeneralSecurityException;

    /**
     * Encrypts a small secret (a key handed to another party, e.g. a GPU worker) under the master
     * key; {@code context} binds it to its purpose, as for blobs.
     */
    byte[] seal(byte[] secret, String context);

    /** The secret {@link #seal} encrypted; fails if it was altered or sealed for another context. */
    byte[] unseal(byte[] sealed, String context) throws GeneralSecurityException;

    interface DataKey {

        /** The data key encrypted under the master key: store this, never the key itself. */
        byte[] wrapped();

        /**
         * Encrypts {@code plaintext} into the blob store. {@code context} binds the ciphertext to
         * its purpose (e.g. "dataset:raw"): decrypting with another context fails.
         */
        default BlobStore.StoredBlob encryptTo(BlobStore store, InputStream plaintext, String context) throws IOException {
            return encryptTo(store, plaintext, context, key -> {
            });
        }

        /** The same, with {@code beforeStoring} given the blob's key before it is put in place ({@link BlobStore#write}). */
        default BlobStore.StoredBlob encryptTo(BlobStore store, InputStream plaintext, String context,
                                               Consumer<String> beforeStoring) throws IOException {
            return encryptTo(store, plaintext::transferTo, context, beforeStoring);
        }

        /** The same, encrypting what {@code plaintext} writes as it writes it (no plaintext stream to hand over). */
        BlobStore.StoredBlob encryptTo(BlobStore store, BlobStore.BlobWriter plaintext, String context,
                                       Consumer<String> beforeStoring) throws IOException;

        /** Opens a decrypting stream; reading a tampered blob throws an IOException. */
        InputStream decryptFrom(BlobStore store, String key, String context) throws IOException;
    }
}
