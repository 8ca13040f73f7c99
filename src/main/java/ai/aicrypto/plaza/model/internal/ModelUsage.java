package ai.aicrypto.plaza.model.internal;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import ai.aicrypto.plaza.serving.Aic;
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

    /** A chart's data: days (epoch seconds) and one series per name, zero where a day had nothing. */
    record Series(List<Long> days, Map<String, List<Double>> values) {
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

    static Series callerSeries(List<CallerDay> days, String callsName, String spendName, String latencyName) {
        TreeSet<LocalDate> axis = new TreeSet<>();
        days.forEach(d -> axis.add(d.day()));
        Map<LocalDate, CallerDay> byDay = new LinkedHashMap<>();
        days.forEach(d -> byDay.put(d.day(), d));
        Map<String, List<Double>> values = new LinkedHashMap<>();
        values.put(callsName, axis.stream().map(d -> (double) byDay.get(d).calls()).toList());
        values.put(spendName, axis.stream().map(d -> Double.parseDouble(byDay.get(d).spentAic())).toList());
        values.put(latencyName, axis.stream().map(d -> byDay.get(d).meanLatencyMs()).toList());
        return new Series(epochDays(axis), values);
    }

    /** Revenue per model and day: one series per model, named by its title. */
    static Series ownerSeries(List<OwnerDay> days) {
        TreeSet<LocalDate> axis = new TreeSet<>();
        days.forEach(d -> axis.add(d.day()));
        List<LocalDate> ordered = new ArrayList<>(axis);
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (OwnerDay d : days) {
            List<Double> series = values.computeIfAbsent(d.title() + " (#" + d.modelId() + ")",
                    k -> new ArrayList<>(java.util.Collections.nCopies(ordered.size(), 0.0)));
            series.set(ordered.indexOf(d.day()), Double.parseDouble(d.revenueAic()));
        }
        return new Series(epochDays(axis), values);
    }

    private static List<Long> epochDays(TreeSet<LocalDate> axis) {
        return axis.stream().map(d -> d.atStartOfDay().toEpochSecond(ZoneOffset.UTC)).toList();
    }
}
