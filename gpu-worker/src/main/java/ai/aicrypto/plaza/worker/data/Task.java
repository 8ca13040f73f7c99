package ai.aicrypto.plaza.worker.data;

/** What the label of a dataset is. */
public enum Task {
    /** {@code labels}: I64 class indices into {@code classes}. */
    CLASSIFICATION,
    /** {@code targets}: F32 values. */
    REGRESSION;

    public static Task parse(String s) {
        return switch (s) {
            case "classification" -> CLASSIFICATION;
            case "regression" -> REGRESSION;
            default -> throw new IllegalArgumentException("unknown task '" + s + "'");
        };
    }

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
