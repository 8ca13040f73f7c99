package ai.aicrypto.plaza.platform;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live updates for browsers (Server-Sent Events), fanned out through PostgreSQL LISTEN/NOTIFY so
 * that every app instance hears what any instance published.
 * <p>
 * {@link #publish} sends a NOTIFY in the caller's transaction: PostgreSQL delivers it only when
 * that transaction commits, so nobody is told about a change that was rolled back. Each instance
 * keeps one connection listening and forwards a notification to the SSE streams of its topic as an
 * event named {@code event} with {@code data}. Keep data small (PostgreSQL caps a notification at
 * 8000 bytes): an id or a few numbers, and let pages fetch what they show (htmx
 * {@code hx-trigger="sse:EVENT"}).
 * <p>
 * The payload is {@code topic \n event \n data} on channel {@code plaza_live}; a database trigger
 * (db/migration V7, job status changes) writes it directly, so change both together.
 */
@Component
public class LiveUpdates implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LiveUpdates.class);
    private static final String CHANNEL = "plaza_live";
    private static final Pattern TOPIC = Pattern.compile("[a-z0-9._:-]{1,100}");
    private static final Pattern EVENT = Pattern.compile("[a-zA-Z0-9_-]{1,60}");
    /** Browsers reconnect on their own (EventSource); a bounded stream frees threads of vanished clients. */
    private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_DATA_BYTES = 7000;
    private static final Duration KEEP_ALIVE_AFTER = Duration.ofSeconds(20);

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
    private volatile Thread listener;
    private volatile boolean running;

    LiveUpdates(DataSource dataSource, JdbcClient jdbc) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
    }

    /**
     * Announces {@code event} on {@code topic} once the current transaction commits (at once
     * outside one).
     */
    public void publish(String topic, String event, String data) {
        check(topic, event);
        String payload = topic + '\n' + event + '\n' + (data == null ? "" : data);
        if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_DATA_BYTES) {
            throw new IllegalArgumentException("live update too large for NOTIFY: " + topic + " " + event);
        }
        jdbc.sql("SELECT pg_notify(?, ?)").params(CHANNEL, payload).query().singleValue();
    }

    /** A stream of the events published on {@code topic} from now on, for a browser. */
    public SseEmitter subscribe(String topic) {
        SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
        Subscription subscription = listen(topic, new BrowserStream(emitter, System.nanoTime()));
        emitter.onCompletion(subscription::close);
        emitter.onTimeout(subscription::close);
        emitter.onError(e -> subscription.close());
        return emitter;
    }

    /**
     * Calls {@code listener} with each event published on {@code topic} from now on, on the
     * listening thread, until the subscription is closed or the listener throws.
     */
    public Subscription listen(String topic, Listener listener) {
        check(topic, "listen");
        List<Listener> list = listeners.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
        list.add(listener);
        return () -> list.remove(listener);
    }

    /** Open subscriptions on this instance. */
    public int subscribers(String topic) {
        return listeners.getOrDefault(topic, List.of()).size();
    }

    /** What receives a topic's events; throwing ends the subscription. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(String event, String data) throws Exception;
    }

    /** Ends a subscription; closing twice is harmless. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A comment line now and then finds browser streams whose browser went away (the write fails).
     * Streams younger than the interval are left alone: their response may still be being set up. No lease: each
     * instance pings the browser streams it serves.
     */
    @Scheduled(fixedDelay = 20_000)
    void keepAlive() {
        long now = System.nanoTime();
        listeners.forEach((topic, list) -> list.forEach(listener -> {
            if (listener instanceof BrowserStream stream && now - stream.openedAt() > KEEP_ALIVE_AFTER.toNanos()) {
                try {
                    stream.emitter().send(SseEmitter.event().comment("ping"));
                } catch (Exception e) {
                    list.remove(listener);
                }
            }
        }));
    }

    private record BrowserStream(SseEmitter emitter, long openedAt) implements Listener {
        @Override
        public void onEvent(String event, String data) throws Exception {
            emitter.send(SseEmitter.event().name(event).data(data));
        }
    }

    private void deliver(String payload) {
        String[] parts = payload.split("\n", 3);
        if (parts.length < 3) {
            return;
        }
        List<Listener> list = listeners.get(parts[0]);
        if (list != null) {
            list.forEach(listener -> call(list, listener, parts[1], parts[2]));
        }
    }

    private static void call(List<Listener> list, Listener listener, String event, String data) {
        try {
            listener.onEvent(event, data);
        } catch (Exception e) {
            list.remove(listener);
        }
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            deliver(n.getParameter());
                        }
                    }
                }
            } catch (Exception e) {
                if (running) {
                    log.warn("Live updates lost their database connection; listening again in 2 s: {}", e.toString());
                    sleep(2000);
                }
            }
        }
    }

    private static void check(String topic, String event) {
        if (!TOPIC.matcher(topic).matches() || !EVENT.matcher(event).matches()) {
            throw new IllegalArgumentException("bad live update topic/event: " + topic + " " + event);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void start() {
        running = true;
        Thread t = new Thread(this::listen, "live-updates");
        t.setDaemon(true);
        listener = t;
        t.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread t = listener;
        if (t != null) {
            t.interrupt();
        }
        listeners.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
