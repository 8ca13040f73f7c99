package ai.aicrypto.plaza;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;

import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.platform.DatabaseProperties;
import ai.aicrypto.plaza.storage.BlobStorageProperties;
import ai.aicrypto.plaza.storage.StorageProperties;
import org.junit.jupiter.api.Test;

/** Settings records that hold secrets print without them (a logged or rendered record must not leak them). */
class SecretsInPropertiesTest {

    private static final String KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private static final String ESCROW_KEY = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356";
    private static final String RPC_WITH_API_KEY = "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef";

    @Test
    void chainPropertiesPrintNeitherKeyNorTheServersRpcUrl() {
        var chain = new ChainProperties(1, "Ethereum", RPC_WITH_API_KEY, "https://rpc.example.org", Path.of("d.json"), KEY,
                ESCROW_KEY, 2, 12, Duration.ofSeconds(1), Duration.ofMinutes(10), BigInteger.TEN, Duration.ofMinutes(3));
        assertThat(chain.toString()).doesNotContain(KEY.substring(2)).doesNotContain(ESCROW_KEY.substring(2))
                .doesNotContain("0123456789abcdef0123456789abcdef").contains("chainId=1");
    }

    @Test
    void storagePropertiesDoNotPrintTheMasterKey() {
        String masterKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        assertThat(new StorageProperties(masterKey).toString()).doesNotContain(masterKey).doesNotContain("q83vEjRW");
    }

    @Test
    void databasePropertiesPrintNeitherPasswordNorUrl() {
        var db = new DatabaseProperties("jdbc:postgresql://db/plaza?password=url-secret", "plaza", "pw-secret", 0, true, Duration.ofSeconds(60), Duration.ofSeconds(3));
        assertThat(db.toString()).doesNotContain("pw-secret").doesNotContain("url-secret").contains("external=true");
    }

    @Test
    void blobStoragePropertiesPrintNeitherKey() {
        var s3 = new BlobStorageProperties("https://s3.example.org:9000/?token=endpoint-secret", "plaza-blobs", null,
                "AKIAEXAMPLEACCESS", "secret-key-never-printed");
        assertThat(s3.toString()).doesNotContain("AKIAEXAMPLEACCESS").doesNotContain("secret-key-never-printed")
                .doesNotContain("endpoint-secret").contains("bucket=plaza-blobs").contains("s3.example.org:9000");
    }
}
