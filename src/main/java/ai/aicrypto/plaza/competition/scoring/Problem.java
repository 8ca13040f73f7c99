package ai.aicrypto.plaza.competition.scoring;

import java.util.List;

/**
 * One reason a submission or solution was rejected: a message key from {@code i18n/competition-scoring.properties}
 * (see {@link MessageKeys}) and its {@link java.text.MessageFormat} arguments (line numbers as {@code Long}, counts
 * as {@code Integer}, ids and values as {@code String}).
 */
public record Problem(String key, List<Object> args) {

    public Problem {
        args = List.copyOf(args);
    }

    static Problem of(String key, Object... args) {
        return new Problem(key, List.of(args));
    }

    /** The arguments as an array, for {@link java.text.MessageFormat#format(Object)} or Spring's MessageSource. */
    public Object[] arguments() {
        return args.toArray();
    }
}
