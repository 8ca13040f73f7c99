package ai.aicrypto.plaza.model.card;

import java.util.List;
import java.util.stream.Collectors;

/** A model card or weights file was rejected; {@link #errors()} says where and why (never empty). */
public class InvalidModelCardException extends RuntimeException {

    private final List<CardFieldError> errors;

    public InvalidModelCardException(List<CardFieldError> errors) {
        super(summary(errors));
        if (errors == null || errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid model card needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public InvalidModelCardException(CardFieldError error) {
        this(List.of(error));
    }

    public List<CardFieldError> errors() {
        return errors;
    }

    private static String summary(List<CardFieldError> errors) {
        if (errors == null) {
            return "invalid model card";
        }
        return "invalid model card: " + errors.stream()
                .map(e -> e.field() + " " + e.defaultMessage())
                .collect(Collectors.joining("; "));
    }
}
