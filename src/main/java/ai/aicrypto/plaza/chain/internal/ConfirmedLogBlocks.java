package ai.aicrypto.plaza.chain.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import ai.aicrypto.plaza.chain.ConfirmedLogs;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads the watcher's record of logs ({@code chain_logs}), which only the watcher writes. */
@Component
class ConfirmedLogBlocks implements ConfirmedLogs {

    private final JdbcClient jdbc;

    ConfirmedLogBlocks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Map<String, Long> blocksOf(Collection<String> txHashes) {
        Map<String, Long> blocks = new HashMap<>();
        if (txHashes.isEmpty()) {
            return blocks;
        }
        jdbc.sql("SELECT DISTINCT tx_hash, block_number FROM chain_logs WHERE tx_hash = ANY(?) AND NOT reverted")
                .param(txHashes.stream().map(String::strip).toArray(String[]::new))
                .query((rs, n) -> blocks.put(rs.getString(1).strip(), rs.getLong(2)))
                .list();
        return blocks;
    }
}
