package ai.aicrypto.plaza.worker.model;

/** Optimizers of the card: SGD (optionally with momentum) and Adam (beta1 0.9, beta2 0.999, eps 1e-8). */
public enum OptimizerKind {
    SGD, ADAM;

    public static OptimizerKind parse(String s) {
        return switch (s) {
            case "sgd" -> SGD;
            case "adam" -> ADAM;
            default -> throw new IllegalArgumentException("unknown optimizer '" + s + "'");
        };
    }
}
