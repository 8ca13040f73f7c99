package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cli.WorkerMain;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.ShardWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class WorkerMainTest {

    @TempDir
    Path dir;

    @Test
    void trainsACardOnAShardDirectoryAndExportsWeights() throws Exception {
        Path train = dir.resolve("train"), eval = dir.resolve("eval");
        ShardWriter.write(train, TestData.t10kHead().slice(0, 1000), 400, TestData.CLASSES, "idx");
        ShardWriter.write(eval, TestData.t10kHead().slice(2000, 2500), 1000, TestData.CLASSES, "idx");
        Path out = dir.resolve("w.safetensors");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = WorkerMain.run(new String[]{"--train", TestData.CARDS.resolve("fashion-mnist-mlp.json").toString(), "--data", train.toString(),
                "--engine", "cpu", "--epochs", "2", "--out", out.toString(), "--eval", eval.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, rc);
        assertTrue(text.contains("epoch 1: loss") && text.contains("epoch 2: loss"), text);
        assertTrue(text.contains("held-out: loss"), text);
        var w = Safetensors.readAllF32(out);
        assertArrayEquals(new long[]{256, 784}, w.get("layers.0.weight").shape());
        assertEquals("mlp", Safetensors.readHeader(out).metadata().get("template"));
    }

    @Test
    void refusesAPlazaWithoutTokenAndUnknownEngines() {
        assertThrows(IllegalArgumentException.class, () -> WorkerMain.run(new String[]{"--plaza", "http://x"}, System.out));
        assertThrows(IllegalArgumentException.class, () -> WorkerMain.run(new String[]{"--train", "c", "--data", "d", "--engine", "tpu"}, System.out));
    }

    @Test
    void refusesAGpuListThatIsNotDistinctDeviceNumbers() {
        for (String gpus : new String[]{"0,0", "one", "0,-1", "0,,1"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> WorkerMain.run(new String[]{"--plaza", "http://127.0.0.1:9",
                    "--token", "t", "--gpus", gpus, "--no-benchmark"}, System.out));
            assertTrue(e.getMessage().contains("--gpus"), e.getMessage());
        }
    }
}
