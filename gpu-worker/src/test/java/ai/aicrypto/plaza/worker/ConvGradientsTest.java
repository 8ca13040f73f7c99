package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cpu.ConvGradients;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.data.ShardWriter;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The worker trains cnns right where PyTorch's oneDNN computes wrong convolution gradients (see {@link ConvGradients}):
 * started without oneDNN's cap, as a provider starts it, it checks and runs itself again under the cap where needed.
 * This test JVM runs under the cap (the surefire configuration), so PyTorch's gradients are right in it.
 */
class ConvGradientsTest {

    private static final Pattern EPOCH = Pattern.compile("epoch (\\d+): loss (\\S+),");

    @TempDir
    Path dir;

    @Test
    void pytorchsConvolutionGradientsAreRightUnderTheCap() {
        assertNotNull(System.getenv(ConvGradients.ISA_VARIABLE), "the surefire configuration caps oneDNN");
        assertNull(ConvGradients.fault());
    }

    /** Where the worker ran itself again, its child ends with it, even when the worker is killed with -9. */
    @Test
    void aWorkerKilledWithNineLeavesNoChildRunning() throws Exception {
        ProcessBuilder worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "ai.aicrypto.plaza.worker.cli.WorkerMain",
                "--plaza", "http://127.0.0.1:9", "--token", "plz_test", "--cache", dir.resolve("cache").toString(), "--no-benchmark")
                .redirectErrorStream(true).redirectOutput(dir.resolve("worker.txt").toFile());
        worker.environment().remove(ConvGradients.ISA_VARIABLE);
        Process process = worker.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        // Started: the child (if any) has loaded its engines and tries the plaza, which does not answer.
        while (!Files.readString(dir.resolve("worker.txt")).contains("127.0.0.1:9") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<ProcessHandle> children = process.descendants().toList();
        System.out.println(Files.readString(dir.resolve("worker.txt")) + "children: " + children.size());
        process.destroyForcibly();
        process.waitFor();
        for (ProcessHandle child : children) {
            assertTrue(child.onExit().get(30, TimeUnit.SECONDS) != null && !child.isAlive(), "the child " + child.pid() + " ended");
        }
    }

    @Test
    void aWorkerStartedWithoutTheCapTrainsACnnAsPyTorchDoesWithItsRightGradients() throws Exception {
        Path train = dir.resolve("train");
        ShardWriter.write(train, TestData.t10kHead().slice(0, 256), 128, TestData.CLASSES, "idx");
        // A 5×5 stride-2 convolution: the one whose gradients were wrong here (3×3 stride-1 ones trained right).
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var cardJson = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(TestData.CARDS.resolve("fashion-mnist-cnn.json").toFile());
        cardJson.set("architecture", json.readTree(ConvEngineTest.STRIDED));
        Path card = dir.resolve("strided-cnn.json");
        json.writeValue(card.toFile(), cardJson);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "ai.aicrypto.plaza.worker.cli.WorkerMain",
                "--train", card.toString(), "--data", train.toString(), "--engine", "cpu", "--epochs", "2"));
        ProcessBuilder worker = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        worker.environment().remove(ConvGradients.ISA_VARIABLE);
        Process process = worker.start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the worker ends");
        String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        System.out.println(out);
        assertEquals(0, process.exitValue(), out);

        ModelSpec spec = ModelSpec.parse(card);
        spec = spec.withHyperparameters(spec.hyperparameters().withEpochs(2));
        TrainedModel right = new DjlCpuEngine().train(spec, ShardDirectoryData.open(train), TrainingListener.NONE);
        Matcher m = EPOCH.matcher(out);
        for (int epoch = 1; epoch <= 2; epoch++) {
            assertTrue(m.find(), "epoch " + epoch + " in " + out);
            double loss = Double.parseDouble(m.group(2)), expected = right.history().get(epoch - 1).loss();
            // The log prints 5 decimals; the wrong gradients moved the first epoch's loss by 3e-4 here.
            assertEquals(expected, loss, 5e-5, "epoch " + epoch + " loss");
        }
    }
}
