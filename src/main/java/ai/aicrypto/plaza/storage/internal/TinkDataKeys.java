package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.io.FilterOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Consumer;

import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.StorageProperties;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import com.google.crypto.tink.subtle.AesGcmJce;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Data keys are Tink streaming-AEAD keysets (AES-256-GCM with HKDF-derived segment keys, 1 MiB
 * segments); the master key is a raw AES-256-GCM key that encrypts the serialized keysets.
 */
@Component
class TinkDataKeys implements DataKeys {

    private static final Logger log = LoggerFactory.getLogger(TinkDataKeys.class);
    private static final byte[] WRAP_CONTEXT = "ai-plaza data key v1".getBytes(StandardCharsets.UTF_8);

    private final Aead master;

    TinkDataKeys(StorageProperties storage, PlazaProperties plaza) throws GeneralSecurityException, IOException {
        StreamingAeadConfig.register();
        this.master = new AesGcmJce(masterKeyBytes(storage.masterKey(), plaza.dataDir().resolve("master.key")));
    }

    @Override
    public DataKey generate() {
        try {
            var keyset = KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
            return new TinkDataKey(keyset, TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, master, WRAP_CONTEXT));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate a data key", e);
        }
    }

    @Override
    public DataKey unwrap(byte[] wrapped) throws GeneralSecurityException {
        return new TinkDataKey(TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, master, WRAP_CONTEXT), wrapped.clone());
    }

    @Override
    public byte[] seal(byte[] secret, String context) {
        try {
            return master.encrypt(secret, sealContext(context));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot seal a secret", e);
        }
    }

    @Override
    public byte[] unseal(byte[] sealed, String context) throws GeneralSecurityException {
        return master.decrypt(sealed, sealContext(context));
    }

    /** Distinct from {@link #WRAP_CONTEXT}, so a sealed secret can never pass for a wrapped data key. */
    private static byte[] sealContext(String context) {
        return ("ai-plaza sealed secret v1:" + context).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] masterKeyBytes(String configured, Path generatedFile) throws IOException {
        if (configured != null && !configured.isBlank()) {
            return checkLength(Base64.getDecoder().decode(configured.trim()));
        }
        if (Files.exists(generatedFile)) {
            return checkLength(Base64.getDecoder().decode(Files.readString(generatedFile).trim()));
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.createDirectories(generatedFile.getParent());
        // Owner-only from the moment it exists (not chmod-ed after writing), on disk before anything is
        // encrypted under it, and renamed into place whole: never readable by others nor half-written.
        Path written = Files.createTempFile(generatedFile.getParent(), "master.key-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel channel = FileChannel.open(written, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(Base64.getEncoder().encode(key)));
                channel.force(true);
            }
            Files.move(written, generatedFile, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(written);
        }
        log.info("Generated a new master key in {}; back it up: without it stored data cannot be read", generatedFile);
        return key;
    }

    private static byte[] checkLength(byte[] key) {
        if (key.length != 32) {
            throw new IllegalStateException("The master key must be 32 bytes (base64), got " + key.length);
        }
        return key;
    }

    private record TinkDataKey(KeysetHandle keyset, byte[] wrapped) implements DataKey {

        @Override
        public byte[] wrapped() {
            return wrapped.clone();
        }

        @Override
        public BlobStore.StoredBlob encryptTo(BlobStore store, BlobStore.BlobWriter plaintext, String context,
                                              Consumer<String> beforeStoring) throws IOException {
            byte[] associatedData = context.getBytes(StandardCharsets.UTF_8);
            return store.write(out -> {
                try (var encrypting = streamingAead().newEncryptingStream(nonClosing(out), associatedData)) {
                    plaintext.writeTo(encrypting);
                } catch (GeneralSecurityException e) {
                    throw new IOException("Cannot encrypt", e);
                }
            }, beforeStoring);
        }

        @Override
        public InputStream decryptFrom(BlobStore store, String key, String context) throws IOException {
            try {
                return streamingAead().newDecryptingStream(store.open(key), context.getBytes(StandardCharsets.UTF_8));
            } catch (GeneralSecurityException e) {
                throw new IOException("Cannot decrypt blob " + key, e);
            }
        }

        /** The blob store closes its own stream; the encrypting stream must only flush its last segment. */
        private static OutputStream nonClosing(OutputStream out) {
            return new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        private StreamingAead streamingAead() {
            try {
                return keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
