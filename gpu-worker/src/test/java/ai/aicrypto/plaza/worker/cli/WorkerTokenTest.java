package ai.aicrypto.plaza.worker.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Where the worker's token comes from: a file or the environment, so that it stays out of the process list. */
class WorkerTokenTest {

    @TempDir
    Path dir;

    @Test
    void theTokenComesFromTheFileOrTheFlagBeforeTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "plz_from-file\n");
        assertEquals("plz_from-file", WorkerMain.workerToken(null, file.toString(), "plz_from-env"));
        assertEquals("plz_flag", WorkerMain.workerToken("plz_flag", null, "plz_from-env"));
        assertEquals("plz_from-env", WorkerMain.workerToken(null, null, " plz_from-env "));
    }

    @Test
    void noTokenBothFlagsOrAnUnreadableFileAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerMain.workerToken(null, null, null)).getMessage()
                .contains(WorkerMain.TOKEN_VARIABLE));
        assertThrows(IllegalArgumentException.class, () -> WorkerMain.workerToken(null, null, "  "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerMain.workerToken("t", "f", null)).getMessage()
                .contains("not both"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WorkerMain.workerToken(null, dir.resolve("missing").toString(), null)).getMessage().contains("token file"));
    }

    @Test
    void theCommandLineTakesATokenFile() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "plz_x");
        // Past the token, the next check (--gpus) is what stops it: the token file was accepted.
        var e = assertThrows(IllegalArgumentException.class, () -> WorkerMain.run(new String[]{"--plaza", "http://127.0.0.1:9",
                "--token-file", file.toString(), "--gpus", "0,0", "--no-benchmark"}, System.out));
        assertTrue(e.getMessage().contains("--gpus"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WorkerMain.run(new String[]{"--token-file", file.toString()}, System.out));
        assertTrue(WorkerMain.USAGE.contains("process list"));
    }
}
