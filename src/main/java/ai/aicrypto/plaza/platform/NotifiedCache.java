package ai.aicrypto.plaza.platform;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Rows read on every API call (a token's holder, a model's price and visibility), kept in this instance's memory and
 * dropped the moment the database says they changed: a trigger on their tables sends a NOTIFY on the topic in the
 * format of {@link LiveUpdates} (channel {@code plaza_live}, payload {@code topic\nchanged\nKEY}, or an empty key for
 * all), which every instance hears on commit, whoever wrote the row. A change made through this instance is also
 * dropped by its writer as it commits ({@link #dropOnCommit}), without waiting for the notification.
 * <p>
 * What may still be missed: notifications sent while the listening connection was down. So everything is dropped
 * whenever that connection is opened again, and nothing is kept longer than {@code backstop} (the time a silently
 * dead connection can take to be noticed). A row read while an invalidation arrives is returned but not kept: a
 * generation count tells, since an invalidation of everything does not wait for reads in flight.
 */
public final class NotifiedCache<K, V> {

    private final Cache<K, V> cache;
    private final Function<String, K> keyOf;
    private final AtomicLong generation = new AtomicLong();

    /**
     * @param topic    the topic the tables' trigger notifies ({@code [a-z0-9._:-]})
     * @param keyOf    a notification's key, as the trigger writes it
     * @param backstop how long a row is kept at most
     * @param maxRows  how many rows are kept at most
     */
    public NotifiedCache(LiveUpdates live, String topic, Function<String, K> keyOf, Duration backstop, long maxRows) {
        this.cache = Caffeine.newBuilder().maximumSize(maxRows).expireAfterWrite(backstop).build();
        this.keyOf = keyOf;
        live.listen(topic, (event, data) -> {
            if (data.isEmpty()) {
                invalidateAll();
            } else {
                notified(data);
            }
        });
        live.onNotificationsMayBeMissed(this::invalidateAll);
    }

    /**
     * The row, kept or loaded; what the loader does not find is not kept (so it is looked up again next time). Inside a
     * transaction it is always read, and not kept: the transaction may have changed it, and may yet roll back.
     */
    public Optional<V> get(K key, Function<K, Optional<V>> load) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return load.apply(key);
        }
        V kept = cache.getIfPresent(key);
        if (kept != null) {
            return Optional.of(kept);
        }
        long before = generation.get();
        Optional<V> loaded = load.apply(key);
        loaded.ifPresent(value -> {
            cache.put(key, value);
            if (generation.get() != before) {
                cache.invalidate(key); // an invalidation came in while it was read: it may be the old row
            }
        });
        return loaded;
    }

    /**
     * Drops the row ({@code null}: every row) now and once the current transaction commits (now only, outside one):
     * this instance's next read after its own change sees it, whenever the notification arrives.
     */
    public void dropOnCommit(K key) {
        Runnable drop = key == null ? this::invalidateAll : () -> invalidate(key);
        drop.run();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    drop.run();
                }
            });
        }
    }

    private void invalidateAll() {
        generation.incrementAndGet();
        cache.invalidateAll();
    }

    private void invalidate(K key) {
        generation.incrementAndGet();
        cache.invalidate(key);
    }

    /** A notification's key: a row, or every row when it cannot be read. */
    private void notified(String key) {
        try {
            invalidate(keyOf.apply(key));
        } catch (RuntimeException e) {
            invalidateAll();
        }
    }
}
