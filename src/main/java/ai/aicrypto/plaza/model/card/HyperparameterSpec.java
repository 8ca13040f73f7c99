package ai.aicrypto.plaza.model.card;

import java.math.BigDecimal;
import java.util.List;

/**
 * One trainable hyperparameter as declared by a model card: what a training form (Easy AI Builder) shows and
 * what a training job may accept.
 *
 * @param name          the card's key, e.g. {@code learningRate}
 * @param type          {@link Type#CHOICE} (e.g. optimizer) or a numeric type
 * @param defaultValue  {@link String} for choices, {@link BigDecimal} for numbers
 * @param min           inclusive lower bound (numeric types), else {@code null}
 * @param max           inclusive upper bound (numeric types), else {@code null}
 * @param allowedValues allowed values (choices), else empty
 * @param scale         {@code linear} or {@code log}: how a UI should step through the range
 */
public record HyperparameterSpec(String name, Type type, Object defaultValue, BigDecimal min, BigDecimal max,
                                 List<String> allowedValues, String scale) {

    public enum Type { INTEGER, NUMBER, CHOICE }

    public HyperparameterSpec {
        allowedValues = allowedValues == null ? List.of() : List.copyOf(allowedValues);
        scale = scale == null ? "linear" : scale;
    }

    /** Whether {@code value} is acceptable for this hyperparameter. */
    public boolean accepts(Object value) {
        if (type == Type.CHOICE) {
            return value instanceof String s && allowedValues.contains(s);
        }
        BigDecimal v;
        if (value instanceof BigDecimal d) {
            v = d;
        } else if (value instanceof Number n) {
            v = new BigDecimal(n.toString());
        } else {
            return false;
        }
        if (type == Type.INTEGER && v.stripTrailingZeros().scale() > 0) {
            return false;
        }
        return v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
    }
}
