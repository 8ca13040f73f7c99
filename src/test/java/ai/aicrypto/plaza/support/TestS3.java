package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The tests' S3 server: S3Proxy with its in-memory store, a process of its own started once per test JVM from the jar
 * the build copies to {@code target/s3proxy} (stopped with the JVM), on a free port, with its own credentials.
 */
public final class TestS3 {

    public static final String ACCESS_KEY = "plaza-test-access";
    public static final String SECRET_KEY = "plaza-test-secret";
    private static final Duration READY_WITHIN = Duration.ofMinutes(1);
    private static TestS3 running;

    public final String endpoint;
    private final Process process;
    private final Path log;

    private TestS3(String endpoint, Process process, Path log) {
        this.endpoint = endpoint;
        this.process = process;
        this.log = log;
    }

    /**
     * Creates {@code bucket} and returns the app's settings for keeping its blobs there: what instances of one plaza
     * share (each instance's filesystem blobs would be its own).
     */
    public static Map<String, String> bucketSettings(String bucket) {
        TestS3 s3 = get();
        try (S3Client client = S3Client.builder().endpointOverride(URI.create(s3.endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY))).build()) {
            client.createBucket(create -> create.bucket(bucket));
        }
        return Map.of("plaza.blob.s3.endpoint", s3.endpoint, "plaza.blob.s3.bucket", bucket,
                "plaza.blob.s3.access-key", ACCESS_KEY, "plaza.blob.s3.secret-key", SECRET_KEY);
    }

    /** The server, started at the first call. */
    public static synchronized TestS3 get() {
        if (running == null) {
            try {
                running = start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return running;
    }

    private static TestS3 start() throws IOException, InterruptedException {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the build copies S3Proxy there (mvn generate-test-resources)");
        }
        String endpoint = "http://127.0.0.1:" + AppProcess.freePort();
        Path dir = Files.createTempDirectory("plaza-s3proxy-");
        Path config = Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=transient",
                "jclouds.identity=unused",
                "jclouds.credential=unused", ""));
        Path log = dir.resolve("s3proxy.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar.toString(), "--properties", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        TestS3 server = new TestS3(endpoint, process, log);
        server.awaitReady();
        return server;
    }

    /** Ready once it answers HTTP at all (an anonymous request is refused, which is an answer). */
    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(endpoint + "/")).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("S3Proxy did not answer within " + READY_WITHIN + ":\n" + Files.readString(log));
    }
}
