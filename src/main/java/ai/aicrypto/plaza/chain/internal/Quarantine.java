package ai.aicrypto.plaza.chain.internal;

import java.util.List;
import java.util.Locale;

import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Logs the plaza cannot act on, kept once each in {@code chain_logs_quarantined} (in the caller's
 * transaction), counted in the metric {@code plaza.chain.logs.quarantined} (tagged by event) and
 * listed to admins. Quarantining never throws on a log seen before: a re-read of the same blocks
 * (after a crash, a reorganisation) records nothing new.
 */
@Component
class Quarantine implements ChainLogQuarantine {

    private static final Logger log = LoggerFactory.getLogger(Quarantine.class);
    /** Raw data of a log is at most a few KB from our contracts; cap what a stranger's can store. */
    private static final int MAX_DATA_CHARS = 16_384;

    private final JdbcClient jdbc;
    private final MeterRegistry meters;

    Quarantine(JdbcClient jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.meters = meters;
    }

    /** A raw log the watcher could not turn into an event. */
    void add(Log l, String event, String reason) {
        insert(l.getTransactionHash(), l.getLogIndex().intValueExact(), l.getBlockNumber().longValueExact(), l.getAddress(),
                event, l.getTopics(), l.getData(), reason);
    }

    @Override
    public void add(ChainLog refused, String reason) {
        insert(refused.txHash(), refused.logIndex(), null, null, refused.getClass().getSimpleName(), null, refused.toString(),
                reason);
    }

    @Override
    public List<Entry> recent(int limit) {
        return jdbc.sql("""
                        SELECT tx_hash, log_index, block_number, event, reason, data, recorded_at FROM chain_logs_quarantined
                        ORDER BY recorded_at DESC, tx_hash, log_index LIMIT ?""")
                .param(limit)
                .query((rs, n) -> new Entry(rs.getString(1), rs.getInt(2), (Long) rs.getObject(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant()))
                .list();
    }

    @Override
    public long count() {
        return jdbc.sql("SELECT count(*) FROM chain_logs_quarantined").query(Long.class).single();
    }

    private void insert(String txHash, int logIndex, Long block, String contract, String event, List<String> topics,
                        String data, String reason) {
        String kept = data == null ? "" : data.length() > MAX_DATA_CHARS ? data.substring(0, MAX_DATA_CHARS) + "…" : data;
        int added = jdbc.sql("""
                        INSERT INTO chain_logs_quarantined (tx_hash, log_index, block_number, contract, event, topics, data, reason)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING""")
                .params(txHash, logIndex, block, contract == null ? null : contract.toLowerCase(Locale.ROOT),
                        event, topics == null ? null : topics.toArray(String[]::new), kept, reason)
                .update();
        if (added == 1) {
            Counter.builder("plaza.chain.logs.quarantined").description("Contract logs the plaza could not act on")
                    .tag("event", event).register(meters).increment();
            log.warn("Quarantined {} log {}#{}: {}", event, txHash, logIndex, reason);
        }
    }
}
