package ai.aicrypto.plaza.compute.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import ai.aicrypto.plaza.model.card.HyperparameterSpec;

/**
 * The settings of a sweep's trials, drawn from the model card's ranges. Every numeric hyperparameter with a range
 * varies except the number of passes (epochs or rounds: it sets each trial's cost, so every trial keeps the value
 * chosen) and {@code seed}; a {@code log}-scaled one is stepped or drawn on the log scale. A random search also draws
 * the choices (optimizer, activation). A grid gives the varied hyperparameters, in the card's order, L levels each
 * from the minimum to the maximum, with as many of them varied and as many levels as fit the trials asked for
 * (L^k at most that many; so 8 trials over 3 hyperparameters are a 2 x 2 x 2 grid, 4 trials over 3 a 2 x 2 grid of
 * the first two).
 */
public final class SweepPlan {

    public static final int MIN_TRIALS = 2, MAX_TRIALS = 8;

    public enum Search { GRID, RANDOM }

    private SweepPlan() {
    }

    /**
     * @param chosen the values the member typed (or the defaults), each already checked against the card
     * @param passes the card's passes hyperparameter (kept as chosen)
     * @return each trial's hyperparameters (numbers as BigDecimal, choices as String); empty when nothing can vary
     */
    public static List<Map<String, Object>> trials(List<HyperparameterSpec> specs, Map<String, Object> chosen, String passes,
                                                   Search search, int trials, RandomGenerator random) {
        List<HyperparameterSpec> numeric = specs.stream()
                .filter(s -> s.type() != HyperparameterSpec.Type.CHOICE && !s.name().equals(passes) && !s.name().equals("seed")
                        && s.min().compareTo(s.max()) < 0)
                .toList();
        List<Map<String, Object>> out = new ArrayList<>();
        if (search == Search.RANDOM) {
            List<HyperparameterSpec> choices = specs.stream()
                    .filter(s -> s.type() == HyperparameterSpec.Type.CHOICE && s.allowedValues().size() > 1).toList();
            if (numeric.isEmpty() && choices.isEmpty()) {
                return out;
            }
            for (int t = 0; t < trials; t++) {
                Map<String, Object> values = new LinkedHashMap<>(chosen);
                numeric.forEach(s -> values.put(s.name(), at(s, random.nextDouble())));
                choices.forEach(s -> values.put(s.name(), s.allowedValues().get(random.nextInt(s.allowedValues().size()))));
                out.add(values);
            }
            return out;
        }
        int varied = numeric.size(), levels = 0;
        while (varied > 0 && (levels = levels(trials, varied)) < 2) {
            varied--;
        }
        if (varied == 0) {
            return out;
        }
        int points = (int) Math.pow(levels, varied);
        for (int p = 0; p < points; p++) {
            Map<String, Object> values = new LinkedHashMap<>(chosen);
            for (int i = 0, rest = p; i < varied; i++, rest /= levels) {
                values.put(numeric.get(i).name(), at(numeric.get(i), (double) (rest % levels) / (levels - 1)));
            }
            out.add(values);
        }
        return out;
    }

    /** The most levels L with L^varied at most {@code trials}. */
    private static int levels(int trials, int varied) {
        int l = 1;
        while (Math.pow(l + 1, varied) <= trials) {
            l++;
        }
        return l;
    }

    /** The value a fraction {@code f} (0 to 1) of the way through the spec's range, on its scale, rounded to its type. */
    static BigDecimal at(HyperparameterSpec spec, double f) {
        double min = spec.min().doubleValue(), max = spec.max().doubleValue();
        double v = "log".equals(spec.scale()) && min > 0 ? Math.exp(Math.log(min) + f * (Math.log(max) - Math.log(min)))
                : min + f * (max - min);
        BigDecimal value = spec.type() == HyperparameterSpec.Type.INTEGER ? BigDecimal.valueOf(Math.round(v))
                : new BigDecimal(v, new MathContext(3, RoundingMode.HALF_EVEN));
        // rounding must not step outside the card's range
        BigDecimal inRange = value.max(spec.min()).min(spec.max()).stripTrailingZeros();
        return inRange.scale() < 0 ? inRange.setScale(0) : inRange; // 150, not 1.5E+2
    }
}
