package ai.aicrypto.plaza.worker.model;

/** Hidden-layer activations of the mlp template. GELU is the exact (erf) form, as in PyTorch's default. */
public enum Activation {
    RELU, TANH, SIGMOID, GELU;

    public static Activation parse(String s) {
        return switch (s) {
            case "relu" -> RELU;
            case "tanh" -> TANH;
            case "sigmoid" -> SIGMOID;
            case "gelu" -> GELU;
            default -> throw new IllegalArgumentException("unknown activation '" + s + "'");
        };
    }

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
