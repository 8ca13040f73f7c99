package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.InMemoryChannel;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.data.ShardedData;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A job's training data read from the encrypted shard cache: each shard is decrypted in memory when the engine asks
 * for it (AES-256-GCM: a 12-byte nonce, then ciphertext and tag, with the plaza's associated data) and only the most
 * recent one is kept. Feature count, task and classes come from the first shard's header.
 */
public final class EncryptedShardData extends ShardedData {

    /** Must match the plaza's {@code TrainingSplits.ASSOCIATED_DATA}. */
    static final byte[] ASSOCIATED_DATA = "aiplaza training shard v1".getBytes(StandardCharsets.UTF_8);
    private static final int NONCE_BYTES = 12;

    private final List<Path> files;
    private final SecretKeySpec key;

    /** Opens the cached shards of a lease; the first shard's header gives feature count, task and classes. */
    public static EncryptedShardData open(List<Path> files, List<Lease.ShardRef> refs, String base64Key) throws IOException {
        if (files.isEmpty()) throw new IOException("the dataset has no training rows");
        SecretKeySpec key = key(base64Key);
        Safetensors.Header header = Safetensors.readHeader(new InMemoryChannel(decrypt(Files.readAllBytes(files.get(0)), key, 0)), "shard 0");
        int featureCount = (int) header.require("features").shape()[1];
        Task task = header.tensors().containsKey("labels") ? Task.CLASSIFICATION : Task.REGRESSION;
        String classNames = header.metadata().get("classes");
        List<String> classes = classNames == null || classNames.isBlank() ? List.of()
                : List.of(new ObjectMapper().readValue(classNames, String[].class));
        int[] shardRows = refs.stream().mapToInt(r -> Math.toIntExact(r.rows())).toArray();
        return new EncryptedShardData(files, key, shardRows, featureCount, task, classes);
    }

    private EncryptedShardData(List<Path> files, SecretKeySpec key, int[] shardRows, int featureCount, Task task,
                               List<String> classes) {
        super(shardRows, featureCount, task, classes);
        this.files = List.copyOf(files);
        this.key = key;
    }

    @Override
    protected Shard load(int index) throws IOException {
        return ShardDirectoryData.readShard(new InMemoryChannel(decrypt(Files.readAllBytes(files.get(index)), key, index)), "shard " + index);
    }

    /** A fine-tuning job's parent weights as the plaza sent them (like a shard: nonce, ciphertext, tag), decrypted. */
    static Map<String, FloatTensor> parentWeights(Path encrypted, String base64Key) throws IOException {
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] blob = Files.readAllBytes(encrypted);
            cipher.init(Cipher.DECRYPT_MODE, key(base64Key), new GCMParameterSpec(128, blob, 0, NONCE_BYTES));
            cipher.updateAAD(ASSOCIATED_DATA);
            plain = cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IOException("the parent weights cannot be decrypted with the lease's key", e);
        }
        return Safetensors.readAllF32(new InMemoryChannel(plain), "the parent weights");
    }

    static SecretKeySpec key(String base64Key) {
        return new SecretKeySpec(Base64.getDecoder().decode(base64Key), "AES");
    }

    /** A shard's plaintext, in memory; the GCM tag authenticates it (a tampered or foreign blob fails). */
    static byte[] decrypt(byte[] blob, SecretKeySpec key, int index) throws IOException {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, blob, 0, NONCE_BYTES));
            cipher.updateAAD(ASSOCIATED_DATA);
            return cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IOException("shard " + index + " cannot be decrypted with the lease's key", e);
        }
    }
}
