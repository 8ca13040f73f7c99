package ai.aicrypto.plaza.worker.serving;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import ai.aicrypto.plaza.worker.Log;
import ai.aicrypto.plaza.worker.plaza.PlazaClient;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Serves the plaza's prediction calls beside training: {@code pollers} threads each long-poll the plaza (outward
 * connections only), run the calls handed to them grouped by model as one batch per model, and send the answers with
 * their next poll. The plaza gathers calls that arrive together into one batch of at most {@code maxBatch} rows,
 * waiting at most {@code maxWait} after the first (dynamic batching); while one poller computes, the other waits for
 * the next batch. Models are loaded on demand into a bounded in-memory {@link ModelCache}: weights never touch disk.
 */
public final class ServingLoop implements Runnable {

    /**
     * How rows and answers travel in the poll: base64 of little-endian float32 (bulk copies through a float view, no
     * number formatting or parsing per value), which the worker declares; the plaza sends JSON numbers to a worker
     * that declares nothing.
     */
    static final String ENCODING = "f32le-base64";

    /** How long to wait before asking again when the offer does not serve, or the plaza cannot be reached. */
    static final Duration NOT_SERVING_WAIT = Duration.ofSeconds(60);
    static final Duration ERROR_WAIT = Duration.ofSeconds(2);

    public record Options(int pollers, int maxBatch, Duration maxWait, long cacheBytes) {
    }

    /** Turns a model's card and weights into its forward pass: {@link ForwardPasses#load}. */
    public interface Loader {
        ForwardPass load(String cardJson, byte[] weights, int inputWidth) throws IOException;
    }

    private final PlazaClient plaza;
    private final Options options;
    private final ModelCache cache;
    /** The refusal last logged: an offer that does not serve is asked again every minute, and said so once. */
    private final AtomicReference<String> lastRefusal = new AtomicReference<>();

    public ServingLoop(PlazaClient plaza, Loader forwardPasses, Options options) {
        this.plaza = plaza;
        this.options = options;
        this.cache = new ModelCache(options.cacheBytes(), key -> {
            JsonNode model = plaza.servingModel(key);
            byte[] weights = Base64.getDecoder().decode(model.path("weights").asText());
            Log.info("serving: loaded model " + key.substring(0, Math.min(12, key.length())) + " (" + weights.length + " bytes)");
            return forwardPasses.load(model.path("card").asText(), weights, model.path("inputWidth").asInt());
        });
    }

    /** Starts the pollers as daemon threads. */
    public void start() {
        for (int i = 0; i < options.pollers(); i++) {
            Thread t = new Thread(this, "serving-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void run() {
        List<Map<String, Object>> results = List.of();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Map<String, Object> poll = new LinkedHashMap<>();
                poll.put("maxBatch", options.maxBatch());
                poll.put("maxWaitMs", options.maxWait().toMillis());
                poll.put("loaded", cache.keys());
                poll.put("encoding", ENCODING);
                poll.put("results", results);
                JsonNode answer = plaza.servingPoll(poll);
                results = answer == null ? List.of() : run(answer.path("calls"));
                lastRefusal.set(null);
            } catch (PlazaClient.PlazaException e) {
                results = List.of();
                boolean refused = e.status() == 403;
                if (!refused || !e.getMessage().equals(lastRefusal.getAndSet(e.getMessage()))) {
                    Log.info("serving: " + e.getMessage() + (refused ? " (asked again every minute, logged again once it changes)" : ""));
                }
                pause(refused ? NOT_SERVING_WAIT : ERROR_WAIT);
            } catch (IOException | RuntimeException e) {
                results = List.of();
                Log.info("serving: the poll failed: " + e);
                pause(ERROR_WAIT);
            }
        }
    }

    /** Runs the calls, one forward pass per model over all its calls' rows; answers in the calls' order. */
    List<Map<String, Object>> run(JsonNode calls) {
        Map<String, List<JsonNode>> byModel = new LinkedHashMap<>();
        calls.forEach(c -> byModel.computeIfAbsent(c.path("model").asText(), k -> new ArrayList<>()).add(c));
        List<Map<String, Object>> results = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> group : byModel.entrySet()) {
            List<JsonNode> batch = group.getValue();
            try {
                ForwardPass model = cache.get(group.getKey());
                int width = batch.get(0).path("width").asInt(), rows = 0;
                for (JsonNode c : batch) {
                    rows += c.path("rows").asInt();
                }
                float[] x = new float[rows * width];
                int at = 0;
                for (JsonNode c : batch) {
                    FloatBuffer inputs = ByteBuffer.wrap(c.path("inputs").binaryValue()).order(ByteOrder.LITTLE_ENDIAN)
                            .asFloatBuffer();
                    if (c.path("width").asInt() != width || inputs.remaining() != c.path("rows").asInt() * width) {
                        throw new IllegalArgumentException("the calls' inputs are not rows of " + width);
                    }
                    inputs.get(x, at, inputs.remaining());
                    at += c.path("rows").asInt() * width;
                }
                long started = System.nanoTime();
                float[] y;
                synchronized (model) {
                    y = model.predict(x, rows);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                int out = model.outputWidth(), row = 0;
                for (JsonNode c : batch) {
                    int n = c.path("rows").asInt();
                    ByteBuffer mine = ByteBuffer.allocate(n * out * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    mine.asFloatBuffer().put(y, row * out, n * out);
                    // The batch's compute time, shared by rows. Jackson writes the bytes as base64.
                    results.add(Map.of("call", c.path("call").asLong(), "outputs", mine.array(), "width", out,
                            "seconds", seconds * n / rows));
                    row += n;
                }
            } catch (IOException | RuntimeException e) {
                for (JsonNode c : batch) {
                    results.add(Map.of("call", c.path("call").asLong(), "error", String.valueOf(e.getMessage())));
                }
            }
        }
        return results;
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
