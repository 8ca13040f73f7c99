package ai.aicrypto.plaza.model.internal;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.ChartSeries;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Usage by day (UTC) over the last {@link #DAYS} days, from {@code model_calls}: what a member called (calls,
 * predictions, spend, mean latency) and what callers asked of the member's models (calls and revenue per model,
 * before the plaza's fee).
 */
@Service
class ModelUsage {

    static final int DAYS = 30;

    private final JdbcClient jdbc;

    ModelUsage(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One day of a member's calls; {@code spentAic} what their credit was charged. */
    record CallerDay(LocalDate day, long calls, long predictions, String spentAic, double meanLatencyMs) {
    }

    /** One day of one model's calls by others; {@code revenueAic} charged to the callers, before the fee. */
    record OwnerDay(LocalDate day, long modelId, String title, long calls, long predictions, String revenueAic) {
    }

    @Transactional(readOnly = true)
    List<CallerDay> caller(long userId) {
        return jdbc.sql("""
                        SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*), sum(instances), sum(charged_wei), avg(latency_ms)
                        FROM model_calls WHERE caller_id = ? AND created_at > now() - make_interval(days => ?)
                        GROUP BY day ORDER BY day DESC""")
                .params(userId, DAYS)
                .query((rs, n) -> new CallerDay(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3),
                        Aic.format(rs.getBigDecimal(4).toBigIntegerExact()), rs.getDouble(5)))
                .list();
    }

    @Transactional(readOnly = true)
    List<OwnerDay> owner(long userId) {
        return jdbc.sql("""
                        SELECT (c.created_at AT TIME ZONE 'UTC')::date AS day, c.model_id, l.title, count(*), sum(c.instances), sum(c.charged_wei)
                        FROM model_calls c JOIN listings l ON l.id = c.model_id
                        WHERE c.owner_id = ? AND c.caller_id <> c.owner_id AND c.created_at > now() - make_interval(days => ?)
                        GROUP BY day, c.model_id, l.title ORDER BY day DESC, c.model_id""")
                .params(userId, DAYS)
                .query((rs, n) -> new OwnerDay(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getString(3), rs.getLong(4),
                        rs.getLong(5), Aic.format(rs.getBigDecimal(6).toBigIntegerExact())))
                .list();
    }

    /**
     * One of the caller's measures per day over the whole window (0 on days without calls), for a chart of its own:
     * calls, spend and latency have units of their own.
     */
    static ChartSeries callerSeries(List<CallerDay> days, String name, ToDoubleFunction<CallerDay> measure,
                               LocalDate today) {
        List<LocalDate> axis = window(today);
        Map<LocalDate, CallerDay> byDay = new LinkedHashMap<>();
        days.forEach(d -> byDay.put(d.day(), d));
        return new ChartSeries(epochDays(axis), Map.of(name, axis.stream()
                .map(d -> byDay.containsKey(d) ? measure.applyAsDouble(byDay.get(d)) : 0.0).toList()));
    }

    /** Revenue per model and day over the whole window: one series per model, named by its title. */
    static ChartSeries ownerSeries(List<OwnerDay> days, LocalDate today) {
        List<LocalDate> axis = window(today);
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (OwnerDay d : days) {
            List<Double> series = values.computeIfAbsent(d.title() + " (#" + d.modelId() + ")",
                    k -> new ArrayList<>(Collections.nCopies(axis.size(), 0.0)));
            int at = axis.indexOf(d.day());
            if (at >= 0) {
                series.set(at, Double.parseDouble(d.revenueAic()));
            }
        }
        return new ChartSeries(epochDays(axis), values);
    }

    /** The {@link #DAYS} days up to today (UTC). */
    private static List<LocalDate> window(LocalDate today) {
        return IntStream.range(0, DAYS).mapToObj(i -> today.minusDays(DAYS - 1 - i)).toList();
    }

    private static List<Long> epochDays(List<LocalDate> axis) {
        return axis.stream().map(d -> d.atStartOfDay().toEpochSecond(ZoneOffset.UTC)).toList();
    }
}
