package ai.aicrypto.plaza.chain;

import java.time.Instant;
import java.util.List;

/**
 * Contract logs the plaza cannot act on. The watcher quarantines logs whose values it cannot hold
 * (an id above 2^63-1, a time past the year 9999); a listener quarantines a decoded log it refuses
 * (a deposit from a stranger for someone else's job, a pool for a competition that is not the
 * host's). Either way the log is recorded once, counted, shown to admins and skipped: nothing an
 * outsider emits from the plaza's contracts can stop the watcher.
 */
public interface ChainLogQuarantine {

    /** Records a decoded log its listener refuses, in the caller's transaction; a second call adds nothing. */
    void add(ChainLog refused, String reason);

    /** The newest quarantined logs first. */
    List<Entry> recent(int limit);

    long count();

    /** {@code blockNumber} is null for a log a listener refused (its fields are in {@code data}). */
    record Entry(String txHash, int logIndex, Long blockNumber, String event, String reason, String data,
                 Instant recordedAt) {
    }
}
