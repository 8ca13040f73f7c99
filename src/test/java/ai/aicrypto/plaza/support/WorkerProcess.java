package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.math.BigDecimal;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import ai.aicrypto.plaza.compute.GpuOffers;

/**
 * A real GPU worker process: the gpu-worker fat jar (built here, offline and without running its tests, when it is
 * missing or older than the worker's sources), started against a running app. Its output goes to a log file that tests read.
 */
public final class WorkerProcess implements AutoCloseable {

    public static final Path WORKER_DIR = Path.of("gpu-worker").toAbsolutePath();
    public static final Path JAR = WORKER_DIR.resolve("target/gpu-worker.jar");
    public static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Registers the CPU offer (2 AIC an hour) of {@code providerId} that the tests' worker processes serve. */
    public static GpuOffers.IssuedWorker registerCpuOffer(GpuOffers offers, long providerId) {
        return offers.register(providerId, new GpuOffers.NewOffer("CPU box", "none", 4096, new BigDecimal("2"), "kr-seoul"));
    }

    /** Starts {@code java -jar gpu-worker.jar --plaza URL} with the extra arguments, its token in PLAZA_WORKER_TOKEN. */
    public static WorkerProcess start(String plazaUrl, String token, Path cacheDir, String... extra) throws IOException {
        ensureJar();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-jar", JAR.toString(), "--plaza", plazaUrl,
                "--cache", cacheDir.toString(), "--poll-seconds", "1", "--heartbeat-seconds", "2"));
        command.addAll(List.of(extra));
        Path log = Files.createTempFile("gpu-worker-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PLAZA_WORKER_TOKEN", token);
        Process process = withSafeConvolutions(builder).start();
        return new WorkerProcess(process, log);
    }

    /**
     * Starts a simulated worker, honest or cheating in the given way (gpu-worker's test class
     * {@code ai.aicrypto.plaza.worker.cheat.CheatingWorkerMain}, on the fat jar and the worker's test classes).
     */
    public static WorkerProcess startSimulated(String plazaUrl, String token, Path cacheDir, String cheat) throws IOException {
        ensureJar();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", JAR + java.io.File.pathSeparator + WORKER_DIR.resolve("target/test-classes"),
                "ai.aicrypto.plaza.worker.cheat.CheatingWorkerMain", "--plaza", plazaUrl, "--token", token,
                "--cache", cacheDir.toString(), "--cheat", cheat, "--poll-seconds", "1");
        Path log = Files.createTempFile("gpu-worker-" + cheat + "-", ".log");
        Process process = withSafeConvolutions(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()))
                .start();
        return new WorkerProcess(process, log);
    }

    /** Starts a serving worker that shifts every answer (gpu-worker's test class {@code LyingServingMain}). */
    public static WorkerProcess startLyingServer(String plazaUrl, String token) throws IOException {
        ensureJar();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", JAR + java.io.File.pathSeparator + WORKER_DIR.resolve("target/test-classes"),
                "ai.aicrypto.plaza.worker.cheat.LyingServingMain", "--plaza", plazaUrl, "--token", token);
        Path log = Files.createTempFile("gpu-worker-lying-", ".log");
        Process process = withSafeConvolutions(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()))
                .start();
        return new WorkerProcess(process, log);
    }

    /**
     * oneDNN capped, as the worker caps itself where PyTorch's convolution gradients are wrong (gpu-worker's
     * ConvGradients, tested there): so the process started here is the worker itself, never the parent of one.
     */
    private static ProcessBuilder withSafeConvolutions(ProcessBuilder builder) {
        builder.environment().put("DNNL_MAX_CPU_ISA", "AVX");
        return builder;
    }

    public Process process() {
        return process;
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** kill -9: no shutdown hook, no goodbye to the plaza. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException, IOException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy(); // SIGTERM: the shutdown hook ends the idle command
        process.waitFor();
        children.forEach(ProcessHandle::destroyForcibly);
        Files.deleteIfExists(log);
    }

    private static synchronized void ensureJar() throws IOException {
        FileTime built = Files.exists(JAR) ? Files.getLastModifiedTime(JAR) : FileTime.fromMillis(0);
        boolean stale;
        try (Stream<Path> sources = Stream.concat(Files.walk(WORKER_DIR.resolve("src")), Stream.of(WORKER_DIR.resolve("pom.xml")))) {
            stale = sources.filter(Files::isRegularFile).anyMatch(p -> {
                try {
                    return Files.getLastModifiedTime(p).compareTo(built) > 0;
                } catch (IOException e) {
                    return true;
                }
            });
        }
        if (!stale) {
            return;
        }
        try {
            Process mvn = new ProcessBuilder("mvn", "-q", "-o", "-DskipTests", "package").directory(WORKER_DIR.toFile())
                    .inheritIO().start();
            if (mvn.waitFor() != 0) {
                throw new IOException("building the gpu-worker jar failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * The first {@code count} images and labels of Fashion-MNIST's t10k set (Debian's dataset-fashion-mnist) as an
     * IDX pair in {@code dir}: images first, then labels.
     */
    public static List<Path> fashionSlice(Path dir, int count) throws IOException {
        Path images = dir.resolve("slice-images-idx3-ubyte");
        Path labels = dir.resolve("slice-labels-idx1-ubyte");
        copyIdx(FASHION.resolve("t10k-images-idx3-ubyte.gz"), images, 16, 28 * 28, count);
        copyIdx(FASHION.resolve("t10k-labels-idx1-ubyte.gz"), labels, 8, 1, count);
        return List.of(images, labels);
    }

    private static void copyIdx(Path source, Path target, int headerBytes, int recordBytes, int count) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(source)); OutputStream out = Files.newOutputStream(target)) {
            byte[] header = in.readNBytes(headerBytes);
            ByteBuffer.wrap(header).putInt(4, count); // the item count follows the magic number
            out.write(header);
            out.write(in.readNBytes(count * recordBytes));
        }
    }
}
