package ai.aicrypto.plaza.serving.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.ServingFleet;
import ai.aicrypto.plaza.serving.ServingProperties;
import ai.aicrypto.plaza.serving.ServingWorkerRejected;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gateway: one queue per serving worker, in this instance's memory (a worker's long poll reaches one instance).
 * Behind a load balancer each instance routes to the workers polling it, and forwards a call none of them can take to
 * another instance a worker polls ({@link ServingPeers}), which runs it through its own queues.
 * <p>
 * Why a long poll rather than a WebSocket: a worker answers a batch in the same request that asks for the next one, so
 * a batch costs one HTTP exchange on a kept-alive connection, through any proxy, with the worker API's authentication
 * unchanged. ops/bench/inference (2026-12-06, 2 shared cores at load average 15-30) measured a served call at p50 20.7
 * ms against 12.3 ms for the same call answered in-process, the worker's own predict 0.016 ms: the poll exchange is a
 * few ms of a call still dominated by the plaza's own work and the machine's load, so a WebSocket's cheaper framing
 * could save little of it, at the price of a second protocol and its own authentication. Most of the exchange's cost
 * on a loaded machine was thread wake-ups, not framing (JFR): with the worker reading its poll on the polling thread
 * (no HttpClient selector and executor hand-offs), a served call took 2.3 ms more than in-process at p50 where it had
 * taken 25.3 ms more (ops/bench/inference, 2026-12-06, each in one run at load average 13-22).
 */
@Service
class ServingGateway implements InferenceGateway, ServingFleet {

    private static final Logger log = LoggerFactory.getLogger(ServingGateway.class);
    /** A worker counts as online this long after its last poll began (a poll is answered within the poll timeout). */
    private static final long ONLINE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A shadow check may go to a worker of any price: it is the plaza's, charged to nobody. */
    private static final BigDecimal ANY_PRICE = BigDecimal.valueOf(Long.MAX_VALUE);

    private final ServingProperties properties;
    private final ServingPeers peers;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transaction;
    private final AtomicLong callIds = new AtomicLong();
    private final Map<Long, Slot> slots = new ConcurrentHashMap<>();
    /** Models routed lately, for workers to load: a worker may load only one it was sent a call of. */
    private final Cache<String, ModelToServe> models = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(java.time.Duration.ofMinutes(30)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "serving-gateway-timer");
        t.setDaemon(true);
        return t;
    });

    /** Rows per batch handed to a worker: how much dynamic batching gathers. */
    private final DistributionSummary batchRows;

    ServingGateway(ServingProperties properties, ServingPeers peers, ApplicationEventPublisher events,
                   TransactionTemplate transaction, MeterRegistry meters) {
        this.properties = properties;
        this.peers = peers;
        this.events = events;
        this.transaction = transaction;
        this.batchRows = DistributionSummary.builder("plaza.serving.batch.rows").description("Rows of a batch handed to a serving worker")
                .publishPercentiles(0.5, 0.9, 0.99).register(meters);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------
    // callers

    /**
     * The workers polling this instance first; when none may take the call (none polls it, every queue is full, or
     * each one tried failed), the instances other workers poll ({@link ServingPeers}); then the fallback. Except when
     * no worker here holds the model and a worker elsewhere does: that instance is tried first.
     */
    @Override
    public Optional<Served> run(ModelToServe model, float[] rows, int rowCount, BigDecimal maxPricePerGpuSecondAic) {
        boolean saturated = false;
        List<ServingPeers.Peer> elsewhere = peers.candidates(model.key(), maxPricePerGpuSecondAic, null);
        // A worker here would first fetch, decrypt and load the weights (a cold start: seconds for a cnn), where one
        // elsewhere holding them answers after a forward's hop (a few ms). Where both or neither hold it, the hop buys
        // nothing: here first.
        if (!elsewhere.isEmpty() && elsewhere.get(0).holds(model.key())
                && !holdsHere(model.key(), rowCount, maxPricePerGpuSecondAic)) {
            ServingPeers.Forwarded warm = peers.forward(elsewhere.subList(0, 1), model, rows, rowCount,
                    maxPricePerGpuSecondAic, null);
            if (warm.served().isPresent()) {
                return warm.served();
            }
            saturated = warm.saturated();
            elsewhere = elsewhere.subList(1, elsewhere.size());
        }
        try {
            Optional<Served> here = runHere(model, rows, rowCount, maxPricePerGpuSecondAic);
            if (here.isPresent()) {
                return here;
            }
        } catch (Saturated e) {
            saturated = true;
        }
        ServingPeers.Forwarded there = peers.forward(elsewhere, model, rows, rowCount, maxPricePerGpuSecondAic, null);
        if (there.served().isPresent()) {
            return there.served();
        }
        if (saturated || there.saturated()) {
            throw new Saturated();
        }
        if (properties.fallback() == ServingProperties.Fallback.IN_PROCESS) {
            return Optional.empty();
        }
        throw new Unavailable();
    }

    /** Whether a worker polling this instance holds the model (or is being sent it) and may take the call now. */
    private boolean holdsHere(String key, int rowCount, BigDecimal maxPricePerGpuSecondAic) {
        long now = System.nanoTime();
        return slots.values().stream().anyMatch(s -> s.online(now) && s.holds(key)
                && s.worker.pricePerGpuSecondAic().compareTo(maxPricePerGpuSecondAic) <= 0
                && s.queuedRows() + rowCount <= properties.queueRows());
    }

    /**
     * A call on the workers polling this instance only: up to two attempts, on two workers; empty when none is online
     * or both failed. Also how a call another instance forwarded runs ({@link ForwardedCallsController}).
     *
     * @throws Saturated workers are online but none has room
     */
    Optional<Served> runHere(ModelToServe model, float[] rows, int rowCount, BigDecimal maxPricePerGpuSecondAic) {
        models.put(model.key(), model);
        Set<Long> tried = new HashSet<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<Slot> slot = choose(model.key(), rowCount, s -> !tried.contains(s.workerId)
                    && s.worker.pricePerGpuSecondAic().compareTo(maxPricePerGpuSecondAic) <= 0);
            if (slot.isEmpty()) {
                break;
            }
            tried.add(slot.get().workerId);
            Optional<Served> served = attempt(slot.get(), model, rows, rowCount);
            if (served.isPresent()) {
                return served;
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<Served> shadow(ModelToServe model, float[] rows, int rowCount, long notProviderId) {
        try {
            Optional<Served> here = shadowHere(model, rows, rowCount, notProviderId);
            if (here.isPresent()) {
                return here;
            }
        } catch (Saturated e) {
            return Optional.empty(); // a check waits for a quieter moment rather than crowd out callers
        }
        // Any price: the check is the plaza's, nothing is charged for it.
        return peers.forward(model, rows, rowCount, ANY_PRICE, notProviderId).served();
    }

    /** A shadow check on a worker polling this instance; empty when none of another provider is online. */
    Optional<Served> shadowHere(ModelToServe model, float[] rows, int rowCount, long notProviderId) {
        models.put(model.key(), model);
        return choose(model.key(), rowCount, s -> s.worker.providerId() != notProviderId)
                .flatMap(slot -> attempt(slot, model, rows, rowCount));
    }

    /** The model of a call forwarded by another instance, when this one routed it lately (no need to look it up). */
    Optional<ModelToServe> routed(String key) {
        return Optional.ofNullable(models.getIfPresent(key));
    }

    @Override
    public void reject(long workerId, long modelId, String reason) {
        Slot slot = slots.get(workerId);
        if (slot != null) {
            slot.rejected = true;
        }
        log.warn("Serving worker {} is rejected: {}", workerId, reason);
        // Through the outbox: the compute module's count of rejected results is kept even across a restart.
        transaction.executeWithoutResult(status -> events.publishEvent(new ServingWorkerRejected(workerId, modelId, reason)));
    }

    /** One attempt of a call on a worker: its answer, or empty when it failed or did not answer in time. */
    private Optional<Served> attempt(Slot slot, ModelToServe model, float[] rows, int rowCount) {
        Call call = new Call(callIds.incrementAndGet(), model, rows, rowCount);
        slot.enqueue(call);
        try {
            return Optional.of(call.done.get(properties.callTimeout().toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            slot.timedOut(call);
            log.warn("Serving worker {} did not answer call {} of model {} in {}", slot.workerId, call.id, model.modelId(),
                    properties.callTimeout());
        } catch (ExecutionException e) {
            log.warn("Serving worker {} failed call {} of model {}: {}", slot.workerId, call.id, model.modelId(),
                    e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable();
        }
        return Optional.empty();
    }

    /** Whoever serves, this instance's workers or another's: the bound covers the dearest of them all. */
    @Override
    public ServingBound servingBound() {
        long now = System.nanoTime();
        BigDecimal highest = slots.values().stream().filter(s -> s.online(now)).map(s -> s.worker.pricePerGpuSecondAic())
                .max(Comparator.naturalOrder()).orElse(BigDecimal.ZERO).max(peers.highestPrice());
        BigDecimal seconds = BigDecimal.valueOf(2 * properties.callTimeout().toMillis()).movePointLeft(3);
        return new ServingBound(highest,
                new BigDecimal(Aic.toWei(highest)).multiply(seconds).setScale(0, java.math.RoundingMode.CEILING).toBigIntegerExact());
    }

    /**
     * A worker for the call: among the online ones not tried yet whose queue has room, one holding the model (or being
     * sent it already) with the fewest rows waiting, else any with the fewest rows waiting (it loads the model).
     *
     * @throws Saturated when workers are online but none has room
     */
    private Optional<Slot> choose(String key, int rowCount, java.util.function.Predicate<Slot> eligible) {
        long now = System.nanoTime();
        List<Slot> online = slots.values().stream().filter(s -> s.online(now) && eligible.test(s)).toList();
        if (online.isEmpty()) {
            return Optional.empty();
        }
        List<Slot> room = online.stream().filter(s -> s.queuedRows() + rowCount <= properties.queueRows()).toList();
        if (room.isEmpty()) {
            throw new Saturated();
        }
        Comparator<Slot> emptiest = Comparator.comparingInt(Slot::queuedRows);
        return room.stream().filter(s -> s.holds(key)).min(emptiest).or(() -> room.stream().min(emptiest));
    }

    /**
     * Tells the other instances which workers poll this one, with the models they hold and their queues, and learns
     * theirs. Every instance does, for its own workers: not leased.
     */
    @Scheduled(fixedDelayString = "${plaza.serving.instances.heartbeat:2s}")
    void heartbeat() {
        long now = System.nanoTime();
        peers.heartbeat(slots.values().stream().filter(s -> s.online(now)).map(s -> {
            Set<String> models = new HashSet<>(s.loaded);
            models.addAll(s.sent);
            return new ServingPeers.Route(s.workerId, s.worker.providerId(), s.worker.pricePerGpuSecondAic(), models,
                    s.queuedRows());
        }).toList());
    }

    // ------------------------------------------------------------------------------------------------
    // workers

    @Override
    public CompletableFuture<List<Assignment>> poll(ServingWorker worker, Poll poll) {
        Slot slot = slots.computeIfAbsent(worker.workerId(), Slot::new);
        return slot.poll(worker, poll);
    }

    @Override
    public void refuse(long workerId, String reason) {
        Slot slot = slots.get(workerId);
        if (slot != null) {
            slot.refuse(reason);
        }
    }

    @Override
    public Optional<ModelToServe> modelFor(long workerId, String key) {
        Slot slot = slots.get(workerId);
        return slot == null || !slot.sent.contains(key) ? Optional.empty() : Optional.ofNullable(models.getIfPresent(key));
    }

    /** One call's attempt on one worker. */
    private static final class Call {
        final long id;
        final ModelToServe model;
        final float[] rows;
        final int rowCount;
        final CompletableFuture<Served> done = new CompletableFuture<>();
        long queuedAt = System.nanoTime();
        long dispatchedAt;
        boolean cold;

        Call(long id, ModelToServe model, float[] rows, int rowCount) {
            this.id = id;
            this.model = model;
            this.rows = rows;
            this.rowCount = rowCount;
        }
    }

    /** A serving worker: its queue, the calls it was handed, and its polls waiting for work. Guarded by itself. */
    private final class Slot {
        final long workerId;
        volatile ServingWorker worker;
        volatile long lastPoll;
        /** Set when a call timed out on it: nothing more is routed to it until it polls again. */
        volatile boolean suspect;
        /** Set when one of its answers was found wrong: nothing more is routed to it. */
        volatile boolean rejected;
        volatile Set<String> loaded = Set.of();
        /** Models it was sent calls of (and may load). */
        final Set<String> sent = ConcurrentHashMap.newKeySet();
        final ArrayDeque<Call> queue = new ArrayDeque<>();
        final Map<Long, Call> inFlight = new ConcurrentHashMap<>();
        final ArrayDeque<CompletableFuture<List<Assignment>>> waiting = new ArrayDeque<>();
        int queuedRows;
        int maxBatch = 1;
        long maxWaitMs;
        ScheduledFuture<?> flush;

        Slot(long workerId) {
            this.workerId = workerId;
        }

        boolean online(long now) {
            return worker != null && !suspect && !rejected
                    && now - lastPoll < properties.pollTimeout().toNanos() + ONLINE_GRACE_NANOS;
        }

        synchronized int queuedRows() {
            return queuedRows;
        }

        boolean holds(String key) {
            return loaded.contains(key) || sent.contains(key);
        }

        synchronized void enqueue(Call call) {
            sent.add(call.model.key());
            queue.add(call);
            queuedRows += call.rowCount;
            handOut();
        }

        synchronized void timedOut(Call call) {
            if (queue.remove(call)) {
                queuedRows -= call.rowCount;
            }
            inFlight.remove(call.id);
            suspect = true;
        }

        CompletableFuture<List<Assignment>> poll(ServingWorker worker, Poll poll) {
            String misfit = misfit(poll.results());
            if (misfit != null) {
                refuse(misfit);
                throw new RefusedResults(misfit);
            }
            this.worker = worker;
            this.lastPoll = System.nanoTime();
            this.suspect = false;
            this.loaded = Set.copyOf(poll.loaded());
            for (Result r : poll.results()) {
                Call call = inFlight.remove(r.call());
                if (call != null) {
                    answer(call, r);
                }
            }
            CompletableFuture<List<Assignment>> next = new CompletableFuture<>();
            synchronized (this) {
                maxBatch = poll.maxBatch();
                maxWaitMs = poll.maxWaitMs();
                waiting.add(next);
                handOut();
            }
            timer.schedule(() -> {
                synchronized (this) {
                    if (waiting.remove(next)) {
                        next.complete(List.of());
                    }
                }
            }, properties.pollTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return next;
        }

        /**
         * Why an answer to a call this worker holds does not fit it (rows of another width than the model's, values for
         * other than its rows, or one that is not a finite number), else null. Answers to calls it does not hold are ignored: they are never charged.
         */
        private String misfit(List<Result> results) {
            for (Result r : results) {
                Call call = inFlight.get(r.call());
                if (call == null || r.error() != null) {
                    continue;
                }
                float[] outputs = r.outputs();
                if (r.width() != call.model.outputWidth()) {
                    return "the answer to call " + r.call() + " has rows of width " + r.width() + ", the model's are "
                            + call.model.outputWidth() + " wide";
                }
                if (outputs == null || outputs.length != (long) r.width() * call.rowCount) {
                    return "the answer to call " + r.call() + " has " + (outputs == null ? 0 : outputs.length)
                            + " values, not its " + call.rowCount + " rows of width " + r.width();
                }
                for (float v : outputs) {
                    if (!Float.isFinite(v)) {
                        return "the answer to call " + r.call() + " has a value that is not a finite number (" + v + ")";
                    }
                }
            }
            return null;
        }

        /** Fails every call the worker holds (each caller retries elsewhere at once) and routes nothing to it until it polls. */
        void refuse(String reason) {
            suspect = true;
            log.warn("Serving worker {}'s poll is refused: {}", workerId, reason);
            for (Long id : List.copyOf(inFlight.keySet())) {
                Call call = inFlight.remove(id);
                if (call != null) {
                    call.done.completeExceptionally(new IllegalStateException("the worker's poll was refused: " + reason));
                }
            }
        }

        private void answer(Call call, Result r) {
            if (r.error() != null) {
                call.done.completeExceptionally(new IllegalStateException(r.error()));
                return;
            }
            // Paid for measured work: the worker's own time, never more than the gateway saw pass.
            double measured = (System.nanoTime() - call.dispatchedAt) / 1e9;
            double seconds = Double.isFinite(r.seconds()) ? Math.max(0, Math.min(r.seconds(), measured)) : measured;
            call.done.complete(new Served(r.outputs(), r.width(), workerId, worker.providerId(), call.cold, seconds,
                    worker.pricePerGpuSecondAic()));
        }

        /**
         * Hands the queue to a waiting poll when the worker computes nothing (a lone call never waits for company),
         * when a full batch is waiting, or when the oldest call has waited the worker's longest wait; else makes sure
         * that is looked at again then. Batches form while the worker is busy, which is when they pay.
         */
        private void handOut() {
            while (!queue.isEmpty() && !waiting.isEmpty()) {
                long waitedMs = (System.nanoTime() - queue.peek().queuedAt) / 1_000_000;
                if (!inFlight.isEmpty() && queuedRows < maxBatch && waitedMs < maxWaitMs) {
                    if (flush == null || flush.isDone()) {
                        flush = timer.schedule(() -> {
                            synchronized (this) {
                                handOut();
                            }
                        }, maxWaitMs - waitedMs, TimeUnit.MILLISECONDS);
                    }
                    return;
                }
                waiting.poll().complete(batch());
            }
        }

        /** Calls up to {@link #maxBatch} rows (at least one call), marked as handed out. */
        private List<Assignment> batch() {
            List<Assignment> batch = new ArrayList<>();
            int rows = 0;
            long now = System.nanoTime();
            for (Iterator<Call> it = queue.iterator(); it.hasNext(); ) {
                Call call = it.next();
                if (!batch.isEmpty() && rows + call.rowCount > maxBatch) {
                    break;
                }
                it.remove();
                queuedRows -= call.rowCount;
                rows += call.rowCount;
                call.dispatchedAt = now;
                call.cold = !loaded.contains(call.model.key());
                inFlight.put(call.id, call);
                batch.add(new Assignment(call.id, call.model.key(), call.model.inputWidth(), call.rowCount, call.rows));
            }
            batchRows.record(rows);
            return batch;
        }
    }
}
