package ai.aicrypto.plaza.worker.model;

/**
 * Concrete training hyperparameters (the card's defaults, possibly overridden by the buyer).
 * Weight decay is L2 added to the gradient of weights (not biases) before the optimizer step, for SGD and Adam
 * alike (PyTorch's coupled form); momentum is PyTorch's (v = m v + g; w -= lr v) and ignored by Adam.
 */
public record Hyperparameters(OptimizerKind optimizer, double learningRate, int batchSize, int epochs,
                              double weightDecay, double momentum, long seed) {

    public static final double ADAM_BETA1 = 0.9;
    public static final double ADAM_BETA2 = 0.999;
    public static final double ADAM_EPSILON = 1e-8;

    public Hyperparameters {
        if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1");
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1");
        if (weightDecay < 0) throw new IllegalArgumentException("weightDecay must be >= 0");
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1)");
    }

    public Hyperparameters withEpochs(int e) {
        return new Hyperparameters(optimizer, learningRate, batchSize, e, weightDecay, momentum, seed);
    }

    public Hyperparameters withSeed(long s) {
        return new Hyperparameters(optimizer, learningRate, batchSize, epochs, weightDecay, momentum, s);
    }

    public Hyperparameters withBatchSize(int b) {
        return new Hyperparameters(optimizer, learningRate, b, epochs, weightDecay, momentum, seed);
    }

    public Hyperparameters withOptimizer(OptimizerKind o, double lr) {
        return new Hyperparameters(o, lr, batchSize, epochs, weightDecay, momentum, seed);
    }

    public Hyperparameters withWeightDecay(double wd) {
        return new Hyperparameters(optimizer, learningRate, batchSize, epochs, wd, momentum, seed);
    }

    public Hyperparameters withMomentum(double m) {
        return new Hyperparameters(optimizer, learningRate, batchSize, epochs, weightDecay, m, seed);
    }
}
