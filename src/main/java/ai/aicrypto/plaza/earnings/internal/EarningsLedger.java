package ai.aicrypto.plaza.earnings.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import ai.aicrypto.plaza.chain.ConfirmedLogs;
import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.EarningsSource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The Coin Payroll of one member: what every {@link EarningsSource} reports, newest first, each payment with the block
 * the watcher confirmed its log in. It decides nothing and stores nothing (see the package's documentation).
 */
@Service
class EarningsLedger {

    private final List<EarningsSource> sources;
    private final ConfirmedLogs logs;

    EarningsLedger(List<EarningsSource> sources, ConfirmedLogs logs) {
        this.sources = sources;
        this.logs = logs;
    }

    /** One snapshot of every source (a repeatable-read transaction), so the totals and the lines agree. */
    @Transactional(readOnly = true, isolation = org.springframework.transaction.annotation.Isolation.REPEATABLE_READ)
    List<Line> of(long userId) {
        List<Earning> earnings = new ArrayList<>();
        sources.forEach(source -> earnings.addAll(source.earningsOf(userId)));
        Map<String, Long> blocks = logs.blocksOf(earnings.stream().map(Earning::paidTx).filter(Objects::nonNull).distinct().toList());
        return earnings.stream()
                .sorted(Comparator.comparing(Earning::accruedAt).reversed().thenComparing(Earning::kind))
                .map(e -> new Line(e, e.paid() ? blocks.get(e.paidTx()) : null))
                .toList();
    }

    /** @param paidBlock the block of the confirmed log that paid it (null while pending) */
    record Line(Earning earning, Long paidBlock) {
    }
}
