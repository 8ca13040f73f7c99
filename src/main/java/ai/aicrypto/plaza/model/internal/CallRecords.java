package ai.aicrypto.plaza.model.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The record of each call that charges nothing (most calls: free models, the owner's own), stored before the call is
 * answered, as a group commit: each caller hands its row to one writer and waits until it is stored; the writer stores
 * every row handed over while it stored the last group in one statement. One call alone waits for its own statement,
 * as before; 64 at once share a few (ops/bench/inference: a statement and a commit per call were most of what the
 * database did for the gateway). A call whose token was deleted since it was checked (other instances hear of it a few
 * ms later) is recorded without it, as the token's deletion would have left it a moment later. A group the database
 * refuses is stored row by row, so only the call whose row is refused fails. A call that charges anything is recorded with its charge in the
 * charge's transaction ({@link ModelPredictions}), not here.
 */
@Component
class CallRecords {

    /** Rows in one statement at most (15 arrays of this length). */
    private static final int MAX_GROUP = 500;
    /** Far longer than a group's statement takes: past it the writer is taken for gone (a dead thread, a hung connection). */
    private static final long MAX_WAIT_SECONDS = 90;
    private static final String INSERT = """
            INSERT INTO model_calls (model_id, caller_id, via, instances, latency_ms, free_quota, token_id, owner_id,
                                     price_per_1000_aic, charged_wei, payer_wallet, worker_id, provider_id, cold_start,
                                     gpu_seconds, serving_charged_wei)
            SELECT c.model_id, c.caller_id, c.via, c.instances, c.latency_ms, c.free_quota,
                   (SELECT t.id FROM api_tokens t WHERE t.id = c.token_id), c.owner_id, c.price, c.charged, c.payer_wallet,
                   c.worker_id, c.provider_id, c.cold_start, c.gpu_seconds, c.serving_charged
            FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS varchar[]), CAST(? AS int[]),
                        CAST(? AS float8[]), CAST(? AS boolean[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
                        CAST(? AS numeric[]), CAST(? AS numeric[]), CAST(? AS varchar[]), CAST(? AS bigint[]),
                        CAST(? AS bigint[]), CAST(? AS boolean[]), CAST(? AS float8[]), CAST(? AS numeric[]))
                 AS c (model_id, caller_id, via, instances, latency_ms, free_quota, token_id, owner_id, price, charged,
                       payer_wallet, worker_id, provider_id, cold_start, gpu_seconds, serving_charged)""";

    /** One call's row, as model_calls holds it ({@code payerWallet}: the credit account charged the model's price). */
    record CallRow(long modelId, long callerId, String via, int instances, double latencyMs, boolean freeQuota, Long tokenId,
                   long ownerId, BigDecimal pricePer1000Aic, BigDecimal chargedWei, String payerWallet, Long workerId, Long providerId,
                   boolean coldStart, double gpuSeconds, BigDecimal servingChargedWei) {
    }

    private record Handed(CallRow row, CompletableFuture<Void> stored) {
    }

    private final JdbcClient jdbc;
    private final BlockingQueue<Handed> handed = new LinkedBlockingQueue<>();
    private final Thread writer;

    CallRecords(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.writer = new Thread(this::write, "model-call-records");
        writer.setDaemon(true);
        writer.start();
    }

    @PreDestroy
    void stop() {
        writer.interrupt();
    }

    /**
     * Stores the row; returns once it is stored. Inside a transaction, in it (the writer's statement could wait for a
     * lock the caller's transaction holds while the caller waits for the writer).
     */
    void store(CallRow row) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            insert(List.of(row));
            return;
        }
        Handed mine = new Handed(row, new CompletableFuture<>());
        handed.add(mine);
        try {
            mine.stored().get(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the call's record was not stored within " + MAX_WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the call's record was stored", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    private void write() {
        List<Handed> group = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                group.add(handed.take());
            } catch (InterruptedException e) {
                break;
            }
            handed.drainTo(group, MAX_GROUP - 1);
            try {
                insert(group.stream().map(Handed::row).toList());
                group.forEach(h -> h.stored().complete(null));
            } catch (RuntimeException groupRefused) {
                for (Handed h : group) {
                    try {
                        insert(List.of(h.row()));
                        h.stored().complete(null);
                    } catch (RuntimeException refused) {
                        h.stored().completeExceptionally(refused);
                    }
                }
            }
            group.clear();
        }
        Handed left;
        while ((left = handed.poll()) != null) {
            left.stored().completeExceptionally(new IllegalStateException("the plaza is stopping"));
        }
    }

    private void insert(List<CallRow> rows) {
        jdbc.sql(INSERT).params(
                        rows.stream().map(CallRow::modelId).toArray(Long[]::new),
                        rows.stream().map(CallRow::callerId).toArray(Long[]::new),
                        rows.stream().map(CallRow::via).toArray(String[]::new),
                        rows.stream().map(CallRow::instances).toArray(Integer[]::new),
                        rows.stream().map(CallRow::latencyMs).toArray(Double[]::new),
                        rows.stream().map(CallRow::freeQuota).toArray(Boolean[]::new),
                        rows.stream().map(CallRow::tokenId).toArray(Long[]::new),
                        rows.stream().map(CallRow::ownerId).toArray(Long[]::new),
                        rows.stream().map(r -> r.pricePer1000Aic().toPlainString()).toArray(String[]::new),
                        rows.stream().map(r -> r.chargedWei().toPlainString()).toArray(String[]::new),
                        rows.stream().map(CallRow::payerWallet).toArray(String[]::new),
                        rows.stream().map(CallRow::workerId).toArray(Long[]::new),
                        rows.stream().map(CallRow::providerId).toArray(Long[]::new),
                        rows.stream().map(CallRow::coldStart).toArray(Boolean[]::new),
                        rows.stream().map(CallRow::gpuSeconds).toArray(Double[]::new),
                        rows.stream().map(r -> r.servingChargedWei().toPlainString()).toArray(String[]::new))
                .update();
    }
}
