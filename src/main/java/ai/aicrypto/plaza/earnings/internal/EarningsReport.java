package ai.aicrypto.plaza.earnings.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import ai.aicrypto.plaza.earnings.Earning;
import ai.aicrypto.plaza.earnings.OfferUtilisation.OfferDay;
import ai.aicrypto.plaza.earnings.internal.EarningsLedger.Line;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.ChartSeries;

/** The dashboard's figures, computed from a member's ledger lines: net amounts (after the plaza's fee) in AIC. */
final class EarningsReport {

    /** How far back each chart looks, in its periods. */
    static final int DAYS = 30, WEEKS = 26, MONTHS = 12;

    private EarningsReport() {
    }

    enum Period {
        DAY(DAYS, d -> d),
        WEEK(WEEKS, d -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))),
        MONTH(MONTHS, d -> d.withDayOfMonth(1));

        final int count;
        final Function<LocalDate, LocalDate> start;

        Period(int count, Function<LocalDate, LocalDate> start) {
            this.count = count;
            this.start = start;
        }

        LocalDate step(LocalDate d, int n) {
            return switch (this) {
                case DAY -> d.plusDays(n);
                case WEEK -> d.plusWeeks(n);
                case MONTH -> d.plusMonths(n);
            };
        }
    }

    /** Paid and pending net amounts of a group of lines. */
    record Totals(BigInteger paidWei, BigInteger pendingWei, BigInteger feeWei, int count) {
        static final Totals NONE = new Totals(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, 0);

        Totals plus(Earning e) {
            return new Totals(e.paid() ? paidWei.add(e.netWei()) : paidWei, e.paid() ? pendingWei : pendingWei.add(e.netWei()),
                    feeWei.add(e.feeWei()), count + 1);
        }

        public String paidAic() {
            return Aic.format(paidWei);
        }

        public String pendingAic() {
            return Aic.format(pendingWei);
        }

        public String feeAic() {
            return Aic.format(feeWei);
        }
    }

    static Totals totals(List<Line> lines) {
        Totals t = Totals.NONE;
        for (Line l : lines) {
            t = t.plus(l.earning());
        }
        return t;
    }

    static Map<Earning.Kind, Totals> bySource(List<Line> lines) {
        Map<Earning.Kind, Totals> by = new EnumMap<>(Earning.Kind.class);
        lines.forEach(l -> by.merge(l.earning().kind(), Totals.NONE.plus(l.earning()), EarningsReport::sum));
        return by;
    }

    record ListingTotals(long listingId, String title, Totals totals) {
    }

    /** By listing, the largest earner first. */
    static List<ListingTotals> byListing(List<Line> lines) {
        Map<Long, ListingTotals> by = new LinkedHashMap<>();
        for (Line l : lines) {
            Earning e = l.earning();
            if (e.listingId() != null) {
                by.merge(e.listingId(), new ListingTotals(e.listingId(), e.item(), Totals.NONE.plus(e)),
                        (a, b) -> new ListingTotals(a.listingId(), a.title(), sum(a.totals(), b.totals())));
            }
        }
        List<ListingTotals> list = new ArrayList<>(by.values());
        list.sort((a, b) -> b.totals().paidWei().add(b.totals().pendingWei())
                .compareTo(a.totals().paidWei().add(a.totals().pendingWei())));
        return list;
    }

    /**
     * A chart of net revenue per period (UTC) up to {@code today}'s: the series "paid" and "pending" by when each was
     * earned, as the usage charts draw them ({@code days}: each period's start in epoch seconds).
     */
    static ChartSeries revenue(List<Line> lines, Period period, LocalDate today, String paidName, String pendingName) {
        LocalDate last = period.start.apply(today);
        LocalDate first = period.step(last, 1 - period.count);
        TreeMap<LocalDate, BigInteger[]> buckets = new TreeMap<>();
        for (int i = 0; i < period.count; i++) {
            buckets.put(period.step(first, i), new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO});
        }
        for (Line l : lines) {
            LocalDate at = period.start.apply(LocalDate.ofInstant(l.earning().accruedAt(), ZoneOffset.UTC));
            BigInteger[] bucket = buckets.get(at);
            if (bucket != null) {
                int which = l.earning().paid() ? 0 : 1;
                bucket[which] = bucket[which].add(l.earning().netWei());
            }
        }
        List<Long> starts = buckets.keySet().stream().map(d -> d.atStartOfDay(ZoneOffset.UTC).toEpochSecond()).toList();
        Map<String, List<Double>> values = new LinkedHashMap<>();
        values.put(paidName, buckets.values().stream().map(b -> aicNumber(b[0])).toList());
        values.put(pendingName, buckets.values().stream().map(b -> aicNumber(b[1])).toList());
        return new ChartSeries(starts, values);
    }

    /**
     * Utilisation (leased / online hours) and uptime (share of the day with a heartbeat) per offer and day, in %, one
     * series per offer, over the last {@link #DAYS} days; a day without a heartbeat is 0.
     */
    static ChartSeries offerSeries(List<OfferDay> days, LocalDate today, boolean utilisation) {
        LocalDate first = today.minusDays(DAYS - 1L);
        List<Long> axis = new ArrayList<>();
        for (int i = 0; i < DAYS; i++) {
            axis.add(first.plusDays(i).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        }
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (OfferDay d : days) {
            int at = (int) (d.day().toEpochDay() - first.toEpochDay());
            if (at < 0 || at >= DAYS) {
                continue;
            }
            List<Double> series = values.computeIfAbsent(d.title() + " (#" + d.offerId() + ")",
                    k -> new ArrayList<>(java.util.Collections.nCopies(DAYS, 0.0)));
            series.set(at, utilisation ? percent(d.leasedMinutes(), d.onlineMinutes()) : percent(d.uptimeMinutes(), 1440));
        }
        return new ChartSeries(axis, values);
    }

    static double percent(long part, long whole) {
        return whole == 0 ? 0 : Math.round(1000.0 * part / whole) / 10.0;
    }

    private static Totals sum(Totals a, Totals b) {
        return new Totals(a.paidWei().add(b.paidWei()), a.pendingWei().add(b.pendingWei()), a.feeWei().add(b.feeWei()),
                a.count() + b.count());
    }


    private static double aicNumber(BigInteger wei) {
        return new BigDecimal(wei, 18).doubleValue();
    }
}
