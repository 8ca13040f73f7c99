package ai.aicrypto.plaza.chain.internal;

import static ai.aicrypto.plaza.chain.internal.LogValues.MAX_PLACES;
import static ai.aicrypto.plaza.chain.internal.LogValues.epochSecond;
import static ai.aicrypto.plaza.chain.internal.LogValues.id;
import static ai.aicrypto.plaza.chain.internal.LogValues.small;
import static ai.aicrypto.plaza.chain.internal.LogValues.splitBps;

import java.io.IOException;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.chain.contracts.AssetRegistry;
import ai.aicrypto.plaza.chain.contracts.BountyEscrow;
import ai.aicrypto.plaza.chain.contracts.CompetitionEscrow;
import ai.aicrypto.plaza.chain.contracts.JobEscrow;
import ai.aicrypto.plaza.chain.contracts.Marketplace;
import ai.aicrypto.plaza.chain.contracts.UsageCredit;
import ai.aicrypto.plaza.chain.contracts.RewardsDistributor;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterNumber;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns contract logs into {@link ChainLog} events, exactly once each, from a block cursor kept in
 * PostgreSQL.
 * <p>
 * Each poll runs in one transaction that locks the cursor row (so one instance at a time reads),
 * records each new log by (tx hash, log index) and publishes its event through the event
 * publication registry, and advances the cursor: a crash anywhere leaves either all of it or none,
 * and the next poll reads the same blocks again. Logs are read only once they have
 * {@code confirmations} blocks; the hash of the last block read is kept, and when the block at that
 * height has changed (a reorganisation), the watcher steps back {@code reorgDepth} blocks, reports
 * the logs whose block is gone as {@link ChainLog.Reverted}, and reads again from there once the
 * listeners have handled those (so an undo and the redo of the same log never race).
 */
@Component
class ChainWatcher {

    private static final Logger log = LoggerFactory.getLogger(ChainWatcher.class);
    private static final String CURSOR = "contracts";
    private static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
    /** Most RPC providers cap eth_getLogs ranges; 2,000 blocks is under all common caps. */
    private static final long MAX_RANGE = 2000;
    /** Longest the watcher waits for listeners to undo the logs of a reorganisation before reading on. */
    private static final Duration UNDO_WAIT = Duration.ofMinutes(5);


    private final Chain chain;
    private final ChainProperties properties;
    private final Web3j web3j;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;
    private final Quarantine quarantine;
    private final JsonMapper json;

    ChainWatcher(Chain chain, ChainProperties properties, Web3j web3j, JdbcClient jdbc, TransactionTemplate transaction,
                 ApplicationEventPublisher events, Quarantine quarantine, JsonMapper json) {
        this.quarantine = quarantine;
        this.json = json;
        this.chain = chain;
        this.properties = properties;
        this.web3j = web3j;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.events = events;
    }

    /*
     * Lease, at most one interval: a poll usually ends within it. A longer one (a catch-up after an outage, up to
     * MAX_RANGE blocks a step) may meet another instance's poll, which waits for the cursor's row lock each step holds
     * and goes on from where this one stopped: no harm. So the watcher of an instance that died resumes elsewhere at
     * the next interval.
     */
    @Scheduled(fixedDelayString = "${plaza.chain.poll-interval:1s}")
    @SchedulerLock(name = "chain-watcher", lockAtMostFor = "${plaza.chain.poll-interval:1s}",
            lockAtLeastFor = "${plaza.chain.poll-interval:1s}")
    void poll() {
        if (!chain.enabled()) {
            return;
        }
        try {
            while (Boolean.TRUE.equals(transaction.execute(status -> step()))) {
                // caught up in ranges of MAX_RANGE blocks
            }
        } catch (ChainUnavailableException e) {
            log.warn("Chain watcher: {}; trying again at the next poll", e.getMessage());
        }
    }

    /** One locked step; true when there are more confirmed blocks to read at once. */
    boolean step() {
        Cursor cursor = lockCursor();
        long head = Rpc.call(() -> web3j.ethBlockNumber().send().getBlockNumber().longValueExact());
        long next = cursor.nextBlock();
        if (cursor.lastHash() != null && next > 0 && !cursor.lastHash().equals(blockHash(next - 1).orElse(null))) {
            next = Math.max(chain.contracts().deployedAtBlock(), next - properties.reorgDepth());
            log.warn("Chain reorganisation below block {}: reading again from block {}", cursor.nextBlock(), next);
            revertLogsNoLongerCanonical(next);
            // The logs mined again are read once the listeners have undone the dropped ones (next polls).
            saveCursor(next, next > 0 ? blockHash(next - 1).orElse(null) : null);
            return false;
        }
        if (undoing()) {
            return false;
        }
        long safe = head - properties.confirmations() + 1;
        if (safe < next) {
            saveCursor(next, next > 0 ? blockHash(next - 1).orElse(null) : null);
            return false;
        }
        long to = Math.min(safe, next + MAX_RANGE - 1);
        for (Log l : logs(next, to)) {
            record(l);
        }
        saveCursor(to + 1, blockHash(to).orElse(null));
        return to < safe;
    }

    private void record(Log l) {
        Optional<ChainLog> decoded;
        try {
            decoded = decode(l);
        } catch (UnusableLogException e) {
            quarantine.add(l, eventName(l), e.getMessage());
            return;
        }
        if (decoded.isEmpty()) {
            return;
        }
        ChainLog event = decoded.get();
        // New, or back on the canonical chain after a reorganisation dropped it: publish (again).
        boolean fresh = jdbc.sql("""
                        INSERT INTO chain_logs (tx_hash, log_index, block_number, block_hash, event, payload)
                        VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb))
                        ON CONFLICT (tx_hash, log_index) DO UPDATE
                            SET reverted = false, block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash,
                                event = EXCLUDED.event, payload = EXCLUDED.payload
                            WHERE chain_logs.reverted
                        RETURNING tx_hash""")
                .params(event.txHash(), event.logIndex(), l.getBlockNumber().longValueExact(), l.getBlockHash(),
                        event.getClass().getSimpleName(), json.writeValueAsString(event))
                .query(String.class).optional().isPresent();
        if (fresh) {
            events.publishEvent(event);
        }
    }

    private void revertLogsNoLongerCanonical(long fromBlock) {
        record Seen(String txHash, int logIndex, long blockNumber, String blockHash, String event, String payload) {
        }
        List<Seen> seen = jdbc.sql("""
                        SELECT tx_hash, log_index, block_number, block_hash, event, payload::text FROM chain_logs
                        WHERE block_number >= ? AND NOT reverted ORDER BY block_number""")
                .param(fromBlock)
                .query((rs, n) -> new Seen(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                        rs.getString(6)))
                .list();
        for (Seen s : seen) {
            if (!s.blockHash().equals(blockHash(s.blockNumber()).orElse(null))) {
                jdbc.sql("UPDATE chain_logs SET reverted = true WHERE tx_hash = ? AND log_index = ?")
                        .params(s.txHash(), s.logIndex()).update();
                events.publishEvent(new ChainLog.Reverted(s.txHash(), s.logIndex(), s.event(), original(s.event(), s.payload())));
            }
        }
    }

    /** The event published for a log, from its stored JSON (null for a log stored before payloads were kept). */
    private ChainLog original(String event, String payload) {
        if (payload == null) {
            return null;
        }
        for (Class<?> type : ChainLog.class.getPermittedSubclasses()) {
            if (type.getSimpleName().equals(event)) {
                return (ChainLog) json.readValue(payload, type);
            }
        }
        return null;
    }

    /**
     * Whether listeners are still undoing logs a reorganisation dropped. Until they are done no new
     * logs are read, so the undo of a log and its redo (the same transaction mined again) never run
     * side by side on the listeners' pool. A listener that keeps failing holds the watcher for at most
     * {@link #UNDO_WAIT}; then it reads on, and says so.
     */
    private boolean undoing() {
        Optional<Timestamp> oldest = jdbc.sql("""
                        SELECT min(publication_date) FROM event_publication
                        WHERE completion_date IS NULL AND event_type = ?""")
                .param(ChainLog.Reverted.class.getName()).query(Timestamp.class).optional();
        if (oldest.isEmpty() || oldest.get() == null) {
            return false;
        }
        if (oldest.get().toInstant().plus(UNDO_WAIT).isBefore(Instant.now())) {
            log.error("Reverted events published at {} are still not handled; reading new logs anyway", oldest.get());
            return false;
        }
        return true;
    }

    /**
     * The plaza's event for a log of its contracts; empty for a log it does not act on (another
     * event, an ERC-20 Transfer).
     *
     * @throws UnusableLogException when a value is outside what the plaza can hold (checked for
     *         every field: anyone can call the contracts with any uint256), or the data does not
     *         decode as the event's ABI says
     */
    static Optional<ChainLog> decode(Log l) throws UnusableLogException {
        if (l.isRemoved() || l.getTopics().isEmpty()) {
            return Optional.empty();
        }
        Event event = EVENTS_BY_TOPIC.get(l.getTopics().get(0));
        // An ERC-20 Transfer has the same topic as the registry's ERC-721 Transfer, with 3 topics.
        if (event == null || (event == AssetRegistry.TRANSFER_EVENT && l.getTopics().size() != 4)) {
            return Optional.empty();
        }
        Decoder decoder = DECODERS.get(event);
        LogValues.checkLayout(event, l.getTopics().size(), l.getData());
        try {
            return Optional.of(decoder.decode(l, l.getTransactionHash(), l.getLogIndex().intValueExact()));
        } catch (RuntimeException e) {
            // The ABI decoder's own failures (data too short, a dynamic array's offset out of range)
            throw new UnusableLogException("cannot decode as " + eventName(l) + ": " + e);
        }
    }

    @FunctionalInterface
    private interface Decoder {
        ChainLog decode(Log l, String tx, int index) throws UnusableLogException;
    }

    /** The decoder of each event of the watched contracts the plaza acts on. */
    private static final Map<Event, Decoder> DECODERS = Map.ofEntries(
            Map.entry(Marketplace.LICENSEPURCHASED_EVENT, (l, tx, i) -> {
                var e = Marketplace.getLicensePurchasedEventFromLog(l);
                return new ChainLog.LicensePurchased(tx, i, id("assetId", e.assetId), lower(e.buyer), lower(e.owner),
                        e.price, e.fee, id("licenseId", e.licenseId));
            }),
            Map.entry(Marketplace.LICENSELISTED_EVENT, (l, tx, i) -> {
                var e = Marketplace.getLicenseListedEventFromLog(l);
                return new ChainLog.LicenseListed(tx, i, id("assetId", e.assetId), lower(e.owner), e.price);
            }),
            Map.entry(Marketplace.LICENSEUNLISTED_EVENT, (l, tx, i) -> {
                var e = Marketplace.getLicenseUnlistedEventFromLog(l);
                return new ChainLog.LicenseListed(tx, i, id("assetId", e.assetId), lower(e.owner), BigInteger.ZERO);
            }),
            Map.entry(Marketplace.ASSETOFFERED_EVENT, (l, tx, i) -> {
                var e = Marketplace.getAssetOfferedEventFromLog(l);
                return new ChainLog.AssetOffered(tx, i, l.getBlockNumber().longValueExact(), id("assetId", e.assetId),
                        lower(e.owner), e.price);
            }),
            Map.entry(Marketplace.ASSETOFFERCANCELLED_EVENT, (l, tx, i) -> {
                var e = Marketplace.getAssetOfferCancelledEventFromLog(l);
                return new ChainLog.AssetOffered(tx, i, l.getBlockNumber().longValueExact(), id("assetId", e.assetId),
                        lower(e.owner), BigInteger.ZERO);
            }),
            Map.entry(Marketplace.ASSETPURCHASED_EVENT, (l, tx, i) -> {
                var e = Marketplace.getAssetPurchasedEventFromLog(l);
                String receiver = lower(e.royaltyReceiver);
                return new ChainLog.AssetPurchased(tx, i, l.getBlockNumber().longValueExact(), id("assetId", e.assetId),
                        lower(e.buyer), lower(e.seller), e.price, e.fee, receiver.equals(ZERO_ADDRESS) ? null : receiver,
                        e.royalty);
            }),
            Map.entry(AssetRegistry.TRANSFER_EVENT, (l, tx, i) -> {
                var e = AssetRegistry.getTransferEventFromLog(l);
                return new ChainLog.AssetTransferred(tx, i, id("tokenId", e.tokenId), lower(e.from), lower(e.to));
            }),
            Map.entry(JobEscrow.JOBFUNDED_EVENT, (l, tx, i) -> {
                var e = JobEscrow.getJobFundedEventFromLog(l);
                return new ChainLog.JobFunded(tx, i, id("jobId", e.jobId), lower(e.requester), e.budget,
                        epochSecond("deadline", e.deadline));
            }),
            Map.entry(JobEscrow.JOBSETTLED_EVENT, (l, tx, i) -> {
                var e = JobEscrow.getJobSettledEventFromLog(l);
                return new ChainLog.JobSettled(tx, i, id("jobId", e.jobId), lower(e.requester), lower(e.provider),
                        e.amount, e.fee, e.refunded);
            }),
            Map.entry(JobEscrow.JOBRELEASED_EVENT, (l, tx, i) -> {
                var e = JobEscrow.getJobReleasedEventFromLog(l);
                return new ChainLog.JobReleased(tx, i, id("jobId", e.jobId), lower(e.requester), id("partId", e.partId),
                        lower(e.provider), e.amount, e.fee, e.remaining);
            }),
            Map.entry(JobEscrow.JOBREFUNDED_EVENT, (l, tx, i) -> {
                var e = JobEscrow.getJobRefundedEventFromLog(l);
                return new ChainLog.JobRefunded(tx, i, id("jobId", e.jobId), lower(e.requester), e.amount);
            }),
            Map.entry(JobEscrow.JOBRECLAIMED_EVENT, (l, tx, i) -> {
                var e = JobEscrow.getJobReclaimedEventFromLog(l);
                return new ChainLog.JobReclaimed(tx, i, id("jobId", e.jobId), lower(e.requester), e.amount);
            }),
            Map.entry(CompetitionEscrow.COMPETITIONFUNDED_EVENT, (l, tx, i) -> {
                var e = CompetitionEscrow.getCompetitionFundedEventFromLog(l);
                return new ChainLog.CompetitionFunded(tx, i, id("id", e.id), lower(e.host), e.pool,
                        epochSecond("startTime", e.startTime), epochSecond("endTime", e.endTime), splitBps(e.splitBps));
            }),
            Map.entry(CompetitionEscrow.POOLINCREASED_EVENT, (l, tx, i) -> {
                var e = CompetitionEscrow.getPoolIncreasedEventFromLog(l);
                return new ChainLog.PoolIncreased(tx, i, id("id", e.id), lower(e.host), e.amount, e.pool);
            }),
            Map.entry(CompetitionEscrow.COMPETITIONCANCELLED_EVENT, (l, tx, i) -> {
                var e = CompetitionEscrow.getCompetitionCancelledEventFromLog(l);
                return new ChainLog.CompetitionCancelled(tx, i, id("id", e.id), lower(e.host), e.refunded);
            }),
            Map.entry(CompetitionEscrow.COMPETITIONFINALIZED_EVENT, (l, tx, i) -> {
                var e = CompetitionEscrow.getCompetitionFinalizedEventFromLog(l);
                return new ChainLog.CompetitionFinalized(tx, i, id("id", e.id), lower(e.host), e.paid, e.held);
            }),
            Map.entry(CompetitionEscrow.PRIZEPAID_EVENT, (l, tx, i) -> {
                var e = CompetitionEscrow.getPrizePaidEventFromLog(l);
                return new ChainLog.PrizePaid(tx, i, id("id", e.id), lower(e.host), small("place", e.place, MAX_PLACES - 1),
                        lower(e.winner), e.amount);
            }),
            Map.entry(CompetitionEscrow.PRIZEHELD_EVENT, (l, tx, i) -> {
                var e = CompetitionEscrow.getPrizeHeldEventFromLog(l);
                return new ChainLog.PrizeHeld(tx, i, id("id", e.id), lower(e.host), small("place", e.place, MAX_PLACES - 1),
                        e.amount);
            }),
            Map.entry(CompetitionEscrow.POOLRECLAIMED_EVENT, (l, tx, i) -> {
                var e = CompetitionEscrow.getPoolReclaimedEventFromLog(l);
                return new ChainLog.PoolReclaimed(tx, i, id("id", e.id), lower(e.host), e.amount);
            }),
            Map.entry(CompetitionEscrow.HELDPRIZESRECLAIMED_EVENT, (l, tx, i) -> {
                var e = CompetitionEscrow.getHeldPrizesReclaimedEventFromLog(l);
                return new ChainLog.HeldPrizesReclaimed(tx, i, id("id", e.id), lower(e.host), e.amount,
                        small("placesMask", e.placesMask, Integer.MAX_VALUE));
            }),
            Map.entry(UsageCredit.CREDITDEPOSITED_EVENT, (l, tx, i) -> {
                var e = UsageCredit.getCreditDepositedEventFromLog(l);
                return new ChainLog.CreditDeposited(tx, i, lower(e.member), e.amount, e.balance);
            }),
            Map.entry(UsageCredit.WITHDRAWALREQUESTED_EVENT, (l, tx, i) -> {
                var e = UsageCredit.getWithdrawalRequestedEventFromLog(l);
                return new ChainLog.CreditWithdrawalRequested(tx, i, lower(e.member), e.amount,
                        epochSecond("withdrawableAt", e.withdrawableAt));
            }),
            Map.entry(UsageCredit.CREDITWITHDRAWN_EVENT, (l, tx, i) -> {
                var e = UsageCredit.getCreditWithdrawnEventFromLog(l);
                return new ChainLog.CreditWithdrawn(tx, i, lower(e.member), e.amount, e.released);
            }),
            Map.entry(UsageCredit.USAGESETTLED_EVENT, (l, tx, i) -> {
                var e = UsageCredit.getUsageSettledEventFromLog(l);
                return new ChainLog.UsageSettled(tx, i, id("batchId", e.batchId), small("entries", e.entries, Integer.MAX_VALUE),
                        e.charged, e.fee, e.shortfall);
            }),
            Map.entry(RewardsDistributor.EPOCHPUBLISHED_EVENT, (l, tx, i) -> {
                var e = RewardsDistributor.getEpochPublishedEventFromLog(l);
                return new ChainLog.RewardsPublished(tx, i, id("epoch", e.epoch), org.web3j.utils.Numeric.toHexString(e.root),
                        e.amount, epochSecond("claimDeadline", e.claimDeadline));
            }),
            Map.entry(RewardsDistributor.CLAIMED_EVENT, (l, tx, i) -> {
                var e = RewardsDistributor.getClaimedEventFromLog(l);
                return new ChainLog.RewardClaimed(tx, i, id("epoch", e.epoch), LogValues.index("index", e.index),
                        lower(e.account), e.amount);
            }),
            Map.entry(RewardsDistributor.EPOCHEXPIRED_EVENT, (l, tx, i) -> {
                var e = RewardsDistributor.getEpochExpiredEventFromLog(l);
                return new ChainLog.RewardsExpired(tx, i, id("epoch", e.epoch), e.returned);
            }),
            Map.entry(BountyEscrow.BOUNTYOPENED_EVENT, (l, tx, i) -> {
                var e = BountyEscrow.getBountyOpenedEventFromLog(l);
                return new ChainLog.BountyOpened(tx, i, id("bountyId", e.bountyId), lower(e.requester), e.amount,
                        epochSecond("deadline", e.deadline));
            }),
            Map.entry(BountyEscrow.ASSETSUBMITTED_EVENT, (l, tx, i) -> {
                var e = BountyEscrow.getAssetSubmittedEventFromLog(l);
                return new ChainLog.AssetSubmitted(tx, i, id("bountyId", e.bountyId), lower(e.requester), lower(e.creator),
                        id("assetId", e.assetId));
            }),
            Map.entry(BountyEscrow.BOUNTYACCEPTED_EVENT, (l, tx, i) -> {
                var e = BountyEscrow.getBountyAcceptedEventFromLog(l);
                return new ChainLog.BountyAccepted(tx, i, id("bountyId", e.bountyId), lower(e.requester), lower(e.creator),
                        LogValues.index("assetId", e.assetId), e.amount, e.fee);
            }),
            Map.entry(BountyEscrow.BOUNTYREFUNDED_EVENT, (l, tx, i) -> {
                var e = BountyEscrow.getBountyRefundedEventFromLog(l);
                return new ChainLog.BountyRefunded(tx, i, id("bountyId", e.bountyId), lower(e.requester), e.amount);
            }));
    /** Every event the plaza decodes, and each by its topic. */
    static final List<Event> DECODED_EVENTS = List.copyOf(DECODERS.keySet());
    private static final Map<String, Event> EVENTS_BY_TOPIC = DECODED_EVENTS.stream()
            .collect(Collectors.toUnmodifiableMap(EventEncoder::encode, e -> e));

    private List<Log> logs(long from, long to) {
        Chain.Contracts c = chain.contracts();
        List<String> addresses = new ArrayList<>(List.of(c.market(), c.registry()));
        if (c.jobsPaidOnChain()) {
            addresses.add(c.jobEscrow());
        }
        if (c.prizesPaidOnChain()) {
            addresses.add(c.competitionEscrow());
        }
        if (c.creditOnChain()) {
            addresses.add(c.usageCredit());
        }
        if (c.rewardsPaidOnChain()) {
            addresses.add(c.rewardsDistributor());
        }
        if (c.bountiesOnChain()) {
            addresses.add(c.bountyEscrow());
        }
        EthFilter filter = new EthFilter(block(from), block(to), addresses);
        EthLog answer = Rpc.call(() -> web3j.ethGetLogs(filter).send());
        if (answer.hasError()) {
            throw new ChainUnavailableException(new IOException(answer.getError().getMessage()));
        }
        List<Log> logs = new ArrayList<>();
        for (EthLog.LogResult<?> r : answer.getLogs()) {
            logs.add((Log) r.get());
        }
        return logs;
    }

    private Optional<String> blockHash(long number) {
        var block = Rpc.call(() -> web3j.ethGetBlockByNumber(block(number), false).send().getBlock());
        return Optional.ofNullable(block).map(b -> b.getHash());
    }

    private Cursor lockCursor() {
        long start = chain.contracts().deployedAtBlock();
        jdbc.sql("INSERT INTO chain_cursors (name, next_block) VALUES (?, ?) ON CONFLICT (name) DO NOTHING").params(CURSOR, start).update();
        return jdbc.sql("SELECT next_block, last_block_hash FROM chain_cursors WHERE name = ? FOR UPDATE")
                .param(CURSOR)
                .query((rs, n) -> new Cursor(rs.getLong(1), rs.getString(2)))
                .single();
    }

    private void saveCursor(long nextBlock, String lastHash) {
        jdbc.sql("UPDATE chain_cursors SET next_block = ?, last_block_hash = ? WHERE name = ?").params(nextBlock, lastHash, CURSOR).update();
    }

    private static DefaultBlockParameter block(long number) {
        return new DefaultBlockParameterNumber(number);
    }

    /** The simple name of the event a log's first topic announces, for quarantine records. */
    private static String eventName(Log l) {
        Event event = EVENTS_BY_TOPIC.get(l.getTopics().get(0));
        return event == null ? "unknown" : event.getName();
    }

    private static String lower(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    private record Cursor(long nextBlock, String lastHash) {
    }
}
