package ai.aicrypto.plaza.worker.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ai.aicrypto.plaza.worker.plaza.PlazaClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The serving loop's wire against a stand-in plaza (the JDK's HTTP server): the worker declares base64 little-endian
 * float32, reads each call's rows from it, and sends each call's outputs back in it with its next poll; a call whose
 * bytes are not its rows gets an error, not a guess.
 */
class ServingLoopTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void rowsAndOutputsTravelAsBase64LittleEndianFloat32() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        CompletableFuture<JsonNode> firstPoll = new CompletableFuture<>(), secondPoll = new CompletableFuture<>();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/worker/v1/serving/poll", exchange -> {
            JsonNode poll = JSON.readTree(exchange.getRequestBody().readAllBytes());
            switch (polls.incrementAndGet()) {
                case 1 -> {
                    firstPoll.complete(poll);
                    answer(exchange, 200, JSON.writeValueAsBytes(JSON.createObjectNode().set("calls", JSON.createArrayNode()
                            .add(call(1, "doubler", 2, 2, 1, 2, 3.5f, -4))
                            .add(call(2, "doubler", 2, 1, 5, 6))
                            .add(call(3, "short", 2, 1, 7))))); // one float for a row of two
                }
                case 2 -> {
                    secondPoll.complete(poll);
                    answer(exchange, 204, null);
                }
                default -> {
                    sleep();
                    answer(exchange, 204, null);
                }
            }
        });
        server.createContext("/api/worker/v1/serving/models/", exchange -> answer(exchange, 200,
                "{\"card\": \"{}\", \"inputWidth\": 2, \"weights\": \"\"}".getBytes()));
        server.start();
        ServingLoop loop = new ServingLoop(new PlazaClient("http://127.0.0.1:" + server.getAddress().getPort(), "plz_secret"),
                (card, weights, width) -> doubler(width), new ServingLoop.Options(1, 64, Duration.ofMillis(2), 1 << 20));
        Thread poller = new Thread(loop, "serving-test");
        poller.start();
        try {
            assertEquals(ServingLoop.ENCODING, firstPoll.get(10, TimeUnit.SECONDS).path("encoding").asText());
            JsonNode results = secondPoll.get(10, TimeUnit.SECONDS).path("results");
            assertEquals(3, results.size(), results.toString());
            assertResult(results.get(0), 1, 2, 4, 7, -8);
            assertResult(results.get(1), 2, 10, 12);
            assertEquals(3, results.get(2).path("call").asLong());
            assertTrue(results.get(2).path("outputs").isMissingNode());
            assertNotNull(results.get(2).path("error").textValue());
        } finally {
            poller.interrupt();
            poller.join(10_000);
        }
    }

    private static void assertResult(JsonNode result, long call, float... outputs) throws IOException {
        assertEquals(call, result.path("call").asLong());
        assertEquals(2, result.path("width").asInt());
        assertTrue(result.path("outputs").isTextual(), "base64, not JSON numbers: " + result);
        ByteBuffer bytes = ByteBuffer.wrap(result.path("outputs").binaryValue()).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        assertArrayEquals(outputs, values);
    }

    private static JsonNode call(long id, String model, int width, int rows, float... inputs) {
        ByteBuffer bytes = ByteBuffer.allocate(inputs.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(inputs);
        return JSON.createObjectNode().put("call", id).put("model", model).put("width", width).put("rows", rows)
                .put("inputs", Base64.getEncoder().encodeToString(bytes.array()));
    }

    private static ForwardPass doubler(int width) {
        return new ForwardPass() {
            @Override
            public float[] predict(float[] x, int rows) {
                float[] y = new float[rows * width];
                for (int i = 0; i < y.length; i++) {
                    y[i] = 2 * x[i];
                }
                return y;
            }

            @Override
            public int outputWidth() {
                return width;
            }

            @Override
            public long bytes() {
                return 0;
            }

            @Override
            public void close() {
            }
        };
    }

    private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body == null ? -1 : body.length);
        if (body != null) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
