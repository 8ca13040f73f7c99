package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.data.InMemoryChannel;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.data.Task;
import ai.aicrypto.plaza.worker.data.TrainingData;
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

/**
 * A job's training data read from the encrypted shard cache: each shard is decrypted in memory when the engine asks
 * for it (AES-256-GCM: a 12-byte nonce, then ciphertext and tag, with the plaza's associated data) and only the most
 * recent one is kept. Feature count, task and classes come from the first shard's header.
 */
public final class EncryptedShardData implements TrainingData {

    /** Must match the plaza's {@code TrainingSplits.ASSOCIATED_DATA}. */
    static final byte[] ASSOCIATED_DATA = "aiplaza training shard v1".getBytes(StandardCharsets.UTF_8);
    private static final int NONCE_BYTES = 12;

    private final List<Path> files;
    private final int[] shardRows;
    private final SecretKeySpec key;
    private final int featureCount;
    private final Task task;
    private final List<String> classes;
    private final long rows;
    private int cachedIndex = -1;
    private Shard cached;

    public EncryptedShardData(List<Path> files, List<Lease.ShardRef> refs, String base64Key) throws IOException {
        if (files.isEmpty()) throw new IOException("the dataset has no training rows");
        this.files = List.copyOf(files);
        this.key = new SecretKeySpec(Base64.getDecoder().decode(base64Key), "AES");
        this.shardRows = refs.stream().mapToInt(r -> Math.toIntExact(r.rows())).toArray();
        this.rows = refs.stream().mapToLong(Lease.ShardRef::rows).sum();
        byte[] first = decrypt(0);
        Safetensors.Header header = Safetensors.readHeader(new InMemoryChannel(first), "shard 0");
        this.featureCount = (int) header.require("features").shape()[1];
        this.task = header.tensors().containsKey("labels") ? Task.CLASSIFICATION : Task.REGRESSION;
        String classNames = header.metadata().get("classes");
        this.classes = classNames == null || classNames.isBlank() ? List.of()
                : List.of(new ObjectMapper().readValue(classNames, String[].class));
        this.cached = ShardDirectoryData.readShard(new InMemoryChannel(first), "shard 0");
        this.cachedIndex = 0;
    }

    private byte[] decrypt(int index) throws IOException {
        byte[] blob = Files.readAllBytes(files.get(index));
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, blob, 0, NONCE_BYTES));
            cipher.updateAAD(ASSOCIATED_DATA);
            return cipher.doFinal(blob, NONCE_BYTES, blob.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IOException("shard " + index + " cannot be decrypted with the lease's key", e);
        }
    }

    @Override
    public int featureCount() {
        return featureCount;
    }

    @Override
    public Task task() {
        return task;
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public int shardCount() {
        return files.size();
    }

    @Override
    public int shardRows(int index) {
        return shardRows[index];
    }

    @Override
    public synchronized Shard shard(int index) throws IOException {
        if (index != cachedIndex) {
            cached = null; // let the previous shard go before decrypting the next one
            Shard shard = ShardDirectoryData.readShard(new InMemoryChannel(decrypt(index)), "shard " + index);
            if (shard.featureCount() != featureCount || shard.task() != task || shard.rows() != shardRows[index]) {
                throw new IOException("shard " + index + " disagrees with the lease or with shard 0");
            }
            cached = shard;
            cachedIndex = index;
        }
        return cached;
    }
}
