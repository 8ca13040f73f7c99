package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import jakarta.servlet.http.HttpServletRequest;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
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
 * Under hostile traffic (review M8): each instance holds at most so many streams in all, per client address and per
 * member (more are refused with {@link TooManyStreams}); the listening thread never writes to a browser, it queues
 * each event for its stream and a small pool of senders writes it, and a stream whose queue is full (a client that
 * stopped reading) is closed, its browser reconnects. Every new stream first gets its page's catch-up event, so a
 * page that reconnects fetches what it missed. The listening connection is checked every
 * {@value #CHECK_EVERY_SECONDS} s and opened again when it does not answer.
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
    /** Events waiting for one browser; past it the browser is too slow and its stream is closed. */
    static final int STREAM_QUEUE = 64;
    private static final int SENDERS = 8;
    static final int CHECK_EVERY_SECONDS = 30;
    /** How long the check of the listening connection waits for PostgreSQL's answer. */
    private static final int CHECK_TIMEOUT_MILLIS = 10_000;

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
    private final List<Runnable> onNotificationsMissed = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> streamsPerClient = new HashMap<>();
    private final int maxStreams;
    private final int maxPerAddress;
    private final int maxPerMember;
    private final ExecutorService senders = Executors.newFixedThreadPool(SENDERS, runnable -> {
        Thread thread = new Thread(runnable, "live-send");
        thread.setDaemon(true);
        return thread;
    });
    private int streams;
    private volatile Thread listener;
    private volatile boolean running;

    LiveUpdates(DataSource dataSource, JdbcClient jdbc,
                @Value("${plaza.live.max-streams:2000}") int maxStreams,
                @Value("${plaza.live.max-streams-per-address:50}") int maxPerAddress,
                @Value("${plaza.live.max-streams-per-member:20}") int maxPerMember) {
        if (maxStreams < 1 || maxPerAddress < 1 || maxPerMember < 1 || maxStreams > 1_000_000) {
            throw new IllegalArgumentException("plaza.live.max-streams (1 to 1,000,000), max-streams-per-address and "
                    + "max-streams-per-member (at least 1) limit live update streams; got " + maxStreams + ", "
                    + maxPerAddress + ", " + maxPerMember);
        }
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.maxStreams = maxStreams;
        this.maxPerAddress = maxPerAddress;
        this.maxPerMember = maxPerMember;
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

    /**
     * A stream of the events published on {@code topic} from now on, for the browser of {@code request}. It starts
     * with {@code catchUpEvent} (no data): the event on which the page fetches what it shows, so a page that lost
     * its stream for a while is brought up to date when it connects again.
     *
     * @throws TooManyStreams when this client, or this instance, holds as many streams as it may
     */
    public SseEmitter subscribe(String topic, String catchUpEvent, HttpServletRequest request) {
        check(topic, catchUpEvent);
        List<String> clients = clients(request);
        reserve(clients);
        SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
        BrowserStream stream = new BrowserStream(emitter, System.nanoTime());
        Subscription subscription = listen(topic, stream);
        AtomicBoolean released = new AtomicBoolean();
        Runnable end = () -> {
            subscription.close();
            if (released.compareAndSet(false, true)) {
                release(clients);
            }
        };
        emitter.onCompletion(end);
        emitter.onTimeout(end);
        emitter.onError(e -> end.run());
        stream.enqueue(SseEmitter.event().name(catchUpEvent).data(""));
        return emitter;
    }

    /** The address's key, and the member's when one is signed in. */
    private static List<String> clients(HttpServletRequest request) {
        Authentication who = SecurityContextHolder.getContext().getAuthentication();
        boolean member = who != null && who.isAuthenticated() && !(who instanceof AnonymousAuthenticationToken);
        return member ? List.of("address " + RateLimits.client(request), "member " + who.getName())
                : List.of("address " + RateLimits.client(request));
    }

    private synchronized void reserve(List<String> clients) {
        if (streams >= maxStreams) {
            throw new TooManyStreams(503, "live.error.too-many-streams");
        }
        for (String client : clients) {
            int limit = client.startsWith("member ") ? maxPerMember : maxPerAddress;
            if (streamsPerClient.getOrDefault(client, 0) >= limit) {
                throw new TooManyStreams(429, "live.error.too-many-streams-here");
            }
        }
        streams++;
        clients.forEach(client -> streamsPerClient.merge(client, 1, Integer::sum));
    }

    private synchronized void release(List<String> clients) {
        streams--;
        clients.forEach(client -> streamsPerClient.computeIfPresent(client, (c, n) -> n == 1 ? null : n - 1));
    }

    /** Streams open on this instance. */
    public synchronized int streams() {
        return streams;
    }

    /** A live update stream refused: {@code status} 429 (this client's share) or 503 (the instance's). */
    public static final class TooManyStreams extends RuntimeException {

        /** Browsers try again on their own; this is when. */
        public static final int RETRY_AFTER_SECONDS = 30;

        private final int status;

        TooManyStreams(int status, String messageKey) {
            super(messageKey);
            this.status = status;
        }

        public int status() {
            return status;
        }

        public String messageKey() {
            return getMessage();
        }
    }

    /**
     * Calls {@code listener} with each event published on {@code topic} from now on, on the
     * listening thread, until the subscription is closed or the listener throws.
     */
    public Subscription listen(String topic, Listener listener) {
        check(topic, "listen");
        listeners.compute(topic, (t, list) -> {
            List<Listener> present = list == null ? new CopyOnWriteArrayList<>() : list;
            present.add(listener);
            return present;
        });
        return () -> remove(topic, listener);
    }

    /**
     * Runs {@code hook} each time the listening connection is opened (the first time and after it was lost, on the
     * listening thread) and when listening stops: whoever must not miss a notification learns that some may have been
     * missed.
     */
    public void onNotificationsMayBeMissed(Runnable hook) {
        onNotificationsMissed.add(hook);
    }

    /** A topic without listeners is dropped, so topics of finished jobs and purchases do not pile up. */
    private void remove(String topic, Listener listener) {
        listeners.computeIfPresent(topic, (t, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    /** Open subscriptions on this instance. */
    public int subscribers(String topic) {
        return listeners.getOrDefault(topic, List.of()).size();
    }

    /** Topics with subscriptions on this instance. */
    int topics() {
        return listeners.size();
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
                    stream.enqueue(SseEmitter.event().comment("ping"));
                } catch (RuntimeException e) {
                    remove(topic, listener);
                }
            }
        }));
    }

    /**
     * One browser's stream: events wait in a bounded queue and a sender writes them, so a browser that does not read
     * holds up a sender at most until the container's write timeout, and never the listening thread.
     */
    private final class BrowserStream implements Listener {

        private final SseEmitter emitter;
        private final long openedAt;
        private final BlockingQueue<SseEmitter.SseEventBuilder> queue = new ArrayBlockingQueue<>(STREAM_QUEUE);
        private final AtomicBoolean sending = new AtomicBoolean();

        BrowserStream(SseEmitter emitter, long openedAt) {
            this.emitter = emitter;
            this.openedAt = openedAt;
        }

        long openedAt() {
            return openedAt;
        }

        @Override
        public void onEvent(String event, String data) {
            enqueue(SseEmitter.event().name(event).data(data));
        }

        /** @throws IllegalStateException when the browser is this far behind: its stream is closed */
        void enqueue(SseEmitter.SseEventBuilder event) {
            if (!queue.offer(event)) {
                emitter.complete();
                throw new IllegalStateException("a browser " + STREAM_QUEUE + " events behind");
            }
            if (sending.compareAndSet(false, true)) {
                senders.execute(this::send);
            }
        }

        private void send() {
            try {
                for (SseEmitter.SseEventBuilder event = queue.poll(); event != null; event = queue.poll()) {
                    emitter.send(event);
                }
            } catch (IOException | RuntimeException e) {
                queue.clear();
                try {
                    emitter.completeWithError(e);
                } catch (IllegalStateException containerEndedIt) {
                    // The container had already ended the request (the browser left): nothing more to close.
                }
                return;
            } finally {
                sending.set(false);
            }
            if (!queue.isEmpty() && sending.compareAndSet(false, true)) {
                senders.execute(this::send); // queued while the last write finished
            }
        }
    }

    private void deliver(String payload) {
        String[] parts = payload.split("\n", 3);
        if (parts.length < 3) {
            return;
        }
        String topic = parts[0];
        listeners.getOrDefault(topic, List.of()).forEach(listener -> {
            try {
                listener.onEvent(parts[1], parts[2]);
            } catch (Exception e) {
                remove(topic, listener);
            }
        });
    }

    /**
     * Whether this thread is still the one that listens: after a stop and a start, the thread of before may still be
     * waiting on its connection (up to a second) while the new one listens; it ends then rather than listen twice.
     */
    private boolean listening() {
        return running && listener == Thread.currentThread();
    }

    private void listen() {
        while (listening()) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                // A connection that went half-open answers nothing: a read waiting longer than this fails it.
                connection.setNetworkTimeout(Runnable::run, CHECK_TIMEOUT_MILLIS);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                onNotificationsMissed.forEach(Runnable::run);
                PGConnection pg = connection.unwrap(PGConnection.class);
                long checkAt = System.nanoTime() + Duration.ofSeconds(CHECK_EVERY_SECONDS).toNanos();
                try {
                    while (listening()) {
                        PGNotification[] notifications = pg.getNotifications(1000);
                        if (notifications != null) {
                            for (PGNotification n : notifications) {
                                deliver(n.getParameter());
                            }
                        }
                        if (System.nanoTime() - checkAt > 0) {
                            // getNotifications never fails on a connection that silently died; a statement does.
                            try (Statement statement = connection.createStatement()) {
                                statement.execute("SELECT 1 AS live_updates_check");
                            }
                            checkAt = System.nanoTime() + Duration.ofSeconds(CHECK_EVERY_SECONDS).toNanos();
                        }
                    }
                } finally {
                    unlisten(connection);
                }
            } catch (Exception e) {
                if (listening()) {
                    log.warn("Live updates lost their database connection; listening again in 2 s: {}", e.toString());
                    sleep(2000);
                }
            }
        }
    }

    /**
     * The connection goes back to the pool: a session left listening would hold notifications nobody reads (and a
     * later borrower's would be delivered nowhere). Best effort: a dead connection is closed by the pool anyway.
     */
    private static void unlisten(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("UNLISTEN *");
        } catch (SQLException e) {
            log.debug("Live updates could not stop listening on a connection given back: {}", e.toString());
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
        // Browser streams end with the listening; the instance's own listeners (caches, services) stay for a start
        // again (a test context is paused and resumed this way), and learn that they may miss notifications meanwhile.
        for (String topic : List.copyOf(listeners.keySet())) {
            listeners.computeIfPresent(topic, (name, list) -> {
                list.removeIf(listener -> listener instanceof BrowserStream);
                return list.isEmpty() ? null : list;
            });
        }
        onNotificationsMissed.forEach(Runnable::run);
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
