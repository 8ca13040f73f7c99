package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.TestData;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.data.ShardWriter;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Training shards as the plaza serves them: safetensors, sealed with AES-GCM (nonce first). */
final class TestShards {

    private TestShards() {
    }

    static byte[] plain(Shard shard, Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "shard", ".safetensors");
        ShardWriter.writeShard(file, shard, TestData.CLASSES, "IDX");
        return Files.readAllBytes(file);
    }

    static byte[] encrypt(byte[] plain, byte[] key) throws Exception {
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(EncryptedShardData.ASSOCIATED_DATA);
        byte[] sealed = c.doFinal(plain);
        return ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
