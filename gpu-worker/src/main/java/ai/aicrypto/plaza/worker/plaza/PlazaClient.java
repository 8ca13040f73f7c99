package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.Log;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The worker API of the plaza ({@code /api/worker/v1}, described at {@code /v3/api-docs}) over {@link HttpClient},
 * with the worker's bearer token. A 409 on a job route raises {@link LeaseLostException}; a 429 or 503 is waited out
 * as its Retry-After says and the request sent again; other unexpected answers raise {@link PlazaException}.
 */
public final class PlazaClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often one request is sent again after a 429 or 503 before the answer counts. */
    static final int RETRIES = 5;
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);
    static final Duration LONGEST_WAIT = Duration.ofMinutes(5);

    private final URI api;
    private final String token;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    public PlazaClient(String plazaUrl, String token) {
        this.api = URI.create(plazaUrl.endsWith("/") ? plazaUrl : plazaUrl + "/").resolve("api/worker/v1/");
        this.token = token;
    }

    /** An answer the worker cannot go on with; {@code status} is the HTTP status. */
    public static final class PlazaException extends IOException {
        private final int status;

        PlazaException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public void heartbeat(Map<String, Object> beat) throws IOException {
        send(post("heartbeat", beat), -1);
    }

    /** The next job, or empty when the plaza has none for this worker. */
    public Optional<Lease> lease() throws IOException {
        HttpResponse<String> r = send(post("lease", Map.of()), -1);
        return r.statusCode() == 204 ? Optional.empty() : Optional.of(JSON.readValue(r.body(), Lease.class));
    }

    public void renew(long jobId) throws IOException {
        send(post("jobs/" + jobId + "/renew", Map.of()), jobId);
    }

    public void progress(long jobId, Map<String, Object> progress) throws IOException {
        send(post("jobs/" + jobId + "/progress", progress), jobId);
    }

    /** Downloads one encrypted training shard of the leased job into {@code target} (atomically). */
    public void downloadShard(long jobId, int seq, Path target) throws IOException {
        download("jobs/" + jobId + "/shards/" + seq, jobId, target);
    }

    /** An audit's start: the audited job's checkpoint of the epoch before the one to train. */
    public void downloadStartCheckpoint(long jobId, Path target) throws IOException {
        download("jobs/" + jobId + "/checkpoints/start", jobId, target);
    }

    /** A fine-tuning job's parent weights, encrypted under the lease's shard key. */
    public void downloadParentWeights(long jobId, Path target) throws IOException {
        download("jobs/" + jobId + "/parent-weights", jobId, target);
    }

    private void download(String path, long jobId, Path target) throws IOException {
        HttpRequest request = authorized(path).timeout(Duration.ofMinutes(30)).GET().build();
        HttpResponse<InputStream> r = call(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            if (r.statusCode() != 200) {
                check(r.statusCode(), new String(body.readAllBytes()), jobId);
            }
            Path part = target.resolveSibling(target.getFileName() + ".part");
            Files.copy(body, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    public void uploadWeights(long jobId, Path weights) throws IOException {
        upload("jobs/" + jobId + "/weights", jobId, weights);
    }

    /**
     * Commits to the job's checkpoints by their SHA-256 (index = epoch, 0 to the last).
     *
     * @return the epochs whose checkpoint files the plaza wants uploaded
     */
    public List<Integer> commitCheckpoints(long jobId, List<String> sha256) throws IOException {
        JsonNode upload = JSON.readTree(send(post("jobs/" + jobId + "/checkpoints", Map.of("sha256", sha256)), jobId).body()).path("upload");
        if (!upload.isArray()) throw new IOException("the plaza's answer to the checkpoint commit has no upload list");
        List<Integer> epochs = new ArrayList<>();
        for (JsonNode e : upload) {
            if (!e.isInt() || e.asInt() < 0 || e.asInt() >= sha256.size()) {
                throw new IOException("the plaza asked for checkpoint " + e + " of epochs 0.." + (sha256.size() - 1));
            }
            epochs.add(e.asInt());
        }
        return epochs;
    }

    public void uploadCheckpoint(long jobId, int epoch, Path checkpoint) throws IOException {
        upload("jobs/" + jobId + "/checkpoints/" + epoch, jobId, checkpoint);
    }

    private void upload(String path, long jobId, Path file) throws IOException {
        HttpRequest request = authorized(path).timeout(Duration.ofMinutes(30))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build();
        send(request, jobId);
    }

    /** Completes the job with the claimed metrics; the answer is the plaza's verdict after checking the weights. */
    public JsonNode complete(long jobId, Map<String, Object> metrics) throws IOException {
        return JSON.readTree(send(post("jobs/" + jobId + "/complete", metrics), jobId).body());
    }

    public void fail(long jobId, String reason) throws IOException {
        send(post("jobs/" + jobId + "/fail", Map.of("reason", reason)), jobId);
    }

    /**
     * Reports that the idle command was suspended or resumed.
     *
     * @return false when the plaza does not know the route (an older plaza)
     */
    public boolean switched(String state, String command) throws IOException {
        HttpRequest request = post("switches", Map.of("state", state, "command", command));
        HttpResponse<String> r = call(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) return false;
        check(r.statusCode(), r.body(), -1);
        return true;
    }

    /**
     * A serving long poll: sends the answers of the last batch and waits for the next calls.
     * <p>
     * Over a blocking {@link HttpURLConnection} (kept alive between polls by the JDK's connection cache), not the
     * {@link HttpClient}: the poll's answer is then read by the polling thread itself, where the HttpClient's selector
     * thread reads it and hands it on through an executor thread to the waiting caller. Every served call crosses this
     * exchange twice, and each such thread wake-up costs milliseconds on a loaded machine (JFR, ops/bench/inference).
     *
     * @return the plaza's answer, or null when the poll ended with nothing to run
     * @throws PlazaException 403 when the worker's offer does not serve predictions
     */
    public JsonNode servingPoll(Map<String, Object> poll) throws IOException {
        byte[] body = JSON.writeValueAsBytes(poll);
        for (int attempt = 0; ; attempt++) {
            HttpURLConnection c = (HttpURLConnection) api.resolve("serving/poll").toURL().openConnection();
            c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            c.setReadTimeout((int) Duration.ofSeconds(60).toMillis());
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Authorization", "Bearer " + token);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            byte[] answer;
            // Read to the end and closed, so that the connection goes back to the cache for the next poll.
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                answer = in == null ? new byte[0] : in.readAllBytes();
            }
            if ((status == 429 || status == 503) && attempt < RETRIES) {
                Duration wait = retryAfter(c.getHeaderField("Retry-After"), Instant.now());
                Log.info("the plaza answered " + status + " to a serving poll: again in " + wait.toSeconds() + " s");
                sleep(wait);
                continue;
            }
            check(status, status / 100 == 2 ? "" : new String(answer, StandardCharsets.UTF_8), -1);
            return status == 204 ? null : JSON.readTree(answer);
        }
    }

    /** A model the plaza sent a call of: {@code card}, {@code inputWidth} and {@code weights} (base64), kept in memory. */
    public JsonNode servingModel(String key) throws IOException {
        HttpRequest request = authorized("serving/models/" + URLEncoder.encode(key, StandardCharsets.UTF_8))
                .timeout(Duration.ofMinutes(5)).GET().build();
        HttpResponse<byte[]> r = call(request, HttpResponse.BodyHandlers.ofByteArray());
        check(r.statusCode(), r.statusCode() / 100 == 2 ? "" : new String(r.body()), -1);
        return JSON.readTree(r.body());
    }

    private HttpRequest post(String path, Object body) throws IOException {
        return authorized(path).timeout(Duration.ofMinutes(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(api.resolve(path)).header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(HttpRequest request, long jobId) throws IOException {
        HttpResponse<String> r = call(request, HttpResponse.BodyHandlers.ofString());
        check(r.statusCode(), r.body(), jobId);
        return r;
    }

    /**
     * Sends the request, and sends it again after a 429 or 503, as often as {@link #RETRIES}, each time after the wait
     * the plaza asks for: such an answer comes before any work was done (a rate limit, an overloaded instance, a
     * statement timeout that rolled back), so the same request is safe to repeat, and sooner would only be refused.
     */
    private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            for (int attempt = 0; ; attempt++) {
                HttpResponse<T> r = http.send(request, handler);
                if ((r.statusCode() != 429 && r.statusCode() != 503) || attempt == RETRIES) return r;
                if (r.body() instanceof InputStream body) body.close();
                Duration wait = retryAfter(r.headers().firstValue("Retry-After").orElse(null), Instant.now());
                Log.info("the plaza answered " + r.statusCode() + " to " + request.uri().getPath() + ": again in "
                        + wait.toSeconds() + " s");
                sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void sleep(Duration wait) throws IOException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A Retry-After header (seconds or an HTTP date) as a wait between none and {@link #LONGEST_WAIT}. */
    static Duration retryAfter(String header, Instant now) {
        Duration wait = DEFAULT_WAIT;
        if (header != null && header.strip().matches("\\d{1,9}")) {
            wait = Duration.ofSeconds(Long.parseLong(header.strip()));
        } else if (header != null) {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                // not a wait the plaza sends: the default one
            }
        }
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
    }

    private static void check(int status, String body, long jobId) throws PlazaException {
        if (status / 100 == 2) return;
        if (status == 409 && jobId >= 0) throw new LeaseLostException(jobId);
        String text = body == null ? "" : body.strip();
        throw new PlazaException(status, "the plaza answered " + status + (text.isEmpty() ? "" : ": "
                + (text.length() > 300 ? text.substring(0, 300) + "..." : text)));
    }
}
