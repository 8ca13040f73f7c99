package ai.aicrypto.plaza.chain;

import java.util.Collection;
import java.util.Map;

/** Where the confirmed logs the plaza acted on were mined, as the watcher recorded them. */
public interface ConfirmedLogs {

    /**
     * The block of each of {@code txHashes} with a confirmed log still on the canonical chain; a hash with none (never
     * seen, or dropped by a reorganisation) is absent from the answer.
     */
    Map<String, Long> blocksOf(Collection<String> txHashes);
}
