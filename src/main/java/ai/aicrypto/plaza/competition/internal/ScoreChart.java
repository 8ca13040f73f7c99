package ai.aicrypto.plaza.competition.internal;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The best public score over time as an inline SVG polyline (a step line: the best holds until it improves), drawn
 * on the server so that the page needs no script. Coordinates are in a fixed 600 x 160 view box.
 */
public record ScoreChart(String points, String best, String first, Instant from, Instant to) {

    static final int WIDTH = 600;
    static final int HEIGHT = 160;
    private static final int PAD = 8;

    /** The chart of {@code history} up to {@code until}, or null when nothing has been scored yet. */
    static ScoreChart of(List<Standings.Point> history, Instant until) {
        if (history.isEmpty()) {
            return null;
        }
        Instant from = history.get(0).at();
        Instant to = until.isAfter(from) ? until : from.plusSeconds(1);
        double min = history.stream().mapToDouble(Standings.Point::score).min().orElseThrow();
        double max = history.stream().mapToDouble(Standings.Point::score).max().orElseThrow();
        double span = max - min;
        double seconds = to.getEpochSecond() - from.getEpochSecond();
        StringBuilder points = new StringBuilder();
        double lastY = 0;
        for (Standings.Point p : history) {
            double x = PAD + (WIDTH - 2 * PAD) * (p.at().getEpochSecond() - from.getEpochSecond()) / seconds;
            // A best that never changed is drawn across the middle.
            double y = span == 0 ? HEIGHT / 2.0 : HEIGHT - PAD - (HEIGHT - 2 * PAD) * (p.score() - min) / span;
            if (!points.isEmpty()) {
                points.append(format(x)).append(',').append(format(lastY)).append(' ');
            }
            points.append(format(x)).append(',').append(format(y)).append(' ');
            lastY = y;
        }
        points.append(format(WIDTH - PAD)).append(',').append(format(lastY));
        return new ScoreChart(points.toString(), ScoreText.of(history.get(history.size() - 1).score()),
                ScoreText.of(history.get(0).score()), from, to);
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
