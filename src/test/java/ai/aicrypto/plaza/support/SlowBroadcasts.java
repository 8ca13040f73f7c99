package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A JSON-RPC endpoint for the app: a proxy in front of anvil that holds each eth_sendRawTransaction for a random 0 to
 * 500 ms, as a slow node would: kills often land between the plaza's recording a transaction and the node's receiving
 * it, and a second instance sending meanwhile would see a pending count without it. A
 * broadcast held across a kill is, in turn, dropped (the app died before broadcasting) or delivered after all (the
 * node got it, the app never heard back).
 */
public final class SlowBroadcasts implements AutoCloseable {

    public final AtomicInteger crossed = new AtomicInteger();
    public final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger lives = new AtomicInteger();
    private final URI target;
    private final Random delays;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rpc-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpServer server;

    public SlowBroadcasts(String targetUrl, long seed) throws IOException {
        target = URI.create(targetUrl);
        delays = new Random(seed);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The app was killed: broadcasts held now cross the kill. */
    public void killed() {
        lives.incrementAndGet();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (new String(body, StandardCharsets.UTF_8).contains("\"eth_sendRawTransaction\"")) {
                int life = lives.get();
                int delay;
                synchronized (delays) {
                    delay = delays.nextInt(500);
                }
                Thread.sleep(delay);
                if (lives.get() != life && crossed.getAndIncrement() % 2 == 0) {
                    dropped.incrementAndGet();
                    return;
                }
            }
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(target).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
            exchange.getResponseBody().write(answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // the app was killed while it waited for the answer
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
