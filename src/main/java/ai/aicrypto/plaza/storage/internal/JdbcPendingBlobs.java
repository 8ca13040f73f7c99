package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import ai.aicrypto.plaza.storage.BlobLifetimes;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link PendingBlobs} over {@code pending_blobs}. Keys are unique in practice: every blob is encrypted under a fresh
 * key or nonce, so two writes never store the same bytes.
 */
@Component
class JdbcPendingBlobs implements PendingBlobs {

    private static final Logger log = LoggerFactory.getLogger(JdbcPendingBlobs.class);

    private final JdbcClient jdbc;
    private final BlobStore blobs;
    /** Committed before the blob is stored even when the writer has a transaction open. */
    private final TransactionTemplate ownTransaction;
    /** The keys this instance recorded and has not yet kept or discarded. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    /** Several missed touches: an instance that is alive and reaches the database touches its keys every minute. */
    private final long abandonedAfterSeconds;

    JdbcPendingBlobs(JdbcClient jdbc, BlobStore blobs, PlatformTransactionManager transactions, BlobLifetimes lifetimes) {
        this.jdbc = jdbc;
        this.blobs = blobs;
        this.abandonedAfterSeconds = lifetimes.pendingAbandonedAfter().toSeconds();
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public BlobStore.StoredBlob write(BlobStore.BlobWriter writer) throws IOException {
        return stored(beforeStoring -> blobs.write(writer, beforeStoring));
    }

    @Override
    public BlobStore.StoredBlob encrypt(DataKeys.DataKey key, BlobStore.BlobWriter plaintext, String context) throws IOException {
        return stored(beforeStoring -> key.encryptTo(blobs, plaintext, context, beforeStoring));
    }

    private BlobStore.StoredBlob stored(Storing storing) throws IOException {
        AtomicReference<String> recorded = new AtomicReference<>();
        try {
            return storing.store(key -> {
                record(key);
                recorded.set(key);
            });
        } catch (IOException | RuntimeException e) {
            if (recorded.get() != null) { // recorded, then the store failed: the blob may or may not be in place
                discard(recorded.get());
            }
            throw e;
        }
    }

    @FunctionalInterface
    private interface Storing {
        BlobStore.StoredBlob store(Consumer<String> beforeStoring) throws IOException;
    }

    private void record(String key) {
        ownTransaction.executeWithoutResult(status -> jdbc.sql("""
                        INSERT INTO pending_blobs (blob_key) VALUES (?)
                        ON CONFLICT (blob_key) DO UPDATE SET touched_at = now()""")
                .param(key).update());
        held.add(key);
    }

    @Override
    public void kept(Collection<String> keys) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Blobs are kept in the transaction that records them");
        }
        for (String key : keys) {
            held.remove(key); // should the transaction roll back, the caller discards it, or the sweep will
            if (jdbc.sql("DELETE FROM pending_blobs WHERE blob_key = ?").param(key).update() != 1) {
                throw new Abandoned(key);
            }
        }
    }

    @Override
    public void discard(String key) {
        held.remove(key); // should the deletion fail, the key goes stale and the sweep tries again
        blobs.delete(key);
        jdbc.sql("DELETE FROM pending_blobs WHERE blob_key = ?").param(key).update();
    }

    /**
     * Tells the others this instance still works on its pending blobs. No lease: each instance its own. One that went
     * untouched too long (this instance lost the database meanwhile) stays abandoned: a sweep may have deleted it.
     */
    @Scheduled(fixedDelay = 60_000)
    void touchHeld() {
        if (!held.isEmpty()) {
            jdbc.sql("""
                            UPDATE pending_blobs SET touched_at = now()
                            WHERE blob_key = ANY(?) AND touched_at >= now() - make_interval(secs => ?)""")
                    .params(held.toArray(String[]::new), abandonedAfterSeconds).update();
        }
    }

    /** {@link #deleteAbandoned} every minute, soon after start, on one instance at a time. */
    @Scheduled(fixedDelay = 60_000, initialDelay = 10_000)
    @SchedulerLock(name = "abandoned-pending-blobs", lockAtMostFor = "5m", lockAtLeastFor = "30s")
    void checkForAbandoned() {
        deleteAbandoned();
    }

    /**
     * Each key in a transaction of its own that holds its row while the blob is deleted: a writer keeping it meanwhile
     * waits and then finds it gone, and a sweep that dies half-way leaves the row for the next. Rows a writer is
     * keeping right now are locked, and skipped.
     */
    @Override
    public int deleteAbandoned() {
        List<String> stale = jdbc.sql("""
                        SELECT blob_key FROM pending_blobs WHERE touched_at < now() - make_interval(secs => ?)
                        ORDER BY touched_at LIMIT 1000""")
                .param(abandonedAfterSeconds).query(String.class).list();
        int deleted = 0;
        for (String key : stale) {
            Boolean done = ownTransaction.execute(status -> {
                boolean stillStale = jdbc.sql("""
                                SELECT 1 FROM pending_blobs WHERE blob_key = ? AND touched_at < now() - make_interval(secs => ?)
                                FOR UPDATE SKIP LOCKED""")
                        .params(key, abandonedAfterSeconds).query(Integer.class).optional().isPresent();
                if (stillStale) {
                    blobs.delete(key);
                    jdbc.sql("DELETE FROM pending_blobs WHERE blob_key = ?").param(key).update();
                }
                return stillStale;
            });
            if (Boolean.TRUE.equals(done)) {
                log.warn("Deleted blob {}: it was stored by an instance that died before recording it", key);
                deleted++;
            }
        }
        return deleted;
    }
}
