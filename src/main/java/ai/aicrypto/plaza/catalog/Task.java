package ai.aicrypto.plaza.catalog;

import java.util.Locale;

/** The machine-learning task a listing serves: what its labels or outputs are. */
public enum Task {
    CLASSIFICATION, REGRESSION;

    /** The task of a model card or dataset profile ({@code classification}, {@code regression}). */
    public static Task of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
