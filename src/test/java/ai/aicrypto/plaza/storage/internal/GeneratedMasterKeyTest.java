package ai.aicrypto.plaza.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.StorageProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without PLAZA_MASTER_KEY a key is generated into the data directory, readable by its owner only. */
class GeneratedMasterKeyTest {

    @TempDir
    Path dataDir;

    @Test
    void theGeneratedKeyIsOwnerOnlyWholeAndUsedAgainAtTheNextStart() throws Exception {
        var plaza = new PlazaProperties(dataDir, false, URI.create("http://localhost"));
        byte[] sealed = new TinkDataKeys(new StorageProperties(null), plaza).seal("secret".getBytes(StandardCharsets.UTF_8), "t");
        Path key = dataDir.resolve("master.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        try (var files = Files.list(dataDir)) {
            assertThat(files).containsExactly(key); // no temporary file left beside it
        }
        assertThat(new TinkDataKeys(new StorageProperties(null), plaza).unseal(sealed, "t")).asString(StandardCharsets.UTF_8)
                .isEqualTo("secret");
    }
}
