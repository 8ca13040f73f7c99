package ai.aicrypto.plaza.compute.internal.web;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import ai.aicrypto.plaza.model.card.ModelCard;

/**
 * What a job should cost on an offer, before it runs: an estimate, not a quote.
 * <p>
 * seconds = rows x epochs x (model weights / reference weights) / measured score, and
 * cost = seconds / 3600 x price per GPU-hour. The measured score is the worker's training
 * throughput (samples per second) on the reference model, the MLP 784-256-128-10 of the
 * gpu-worker's start-up benchmark (Fashion-MNIST shape); a training step costs about in proportion to the number of weights, so a model with
 * twice the weights is taken to run at half the rate. A boosting round of trees (an "epoch" here) costs, per tree of
 * the round, one histogram update per row, feature and tree level ({@link #TREE_CELL_WEIGHTS} network weights of a
 * step of the same cost on the CPU) and a fixed part ({@link #TREE_ROUND_SAMPLES}): the call into XGBoost and the
 * round's measurement on the worker's validation rows, which is what a small table's round mostly costs. Data
 * transfer, start-up and verification are not counted.
 */
public record PriceEstimate(double seconds, BigDecimal costAic) {

    /** Weights and biases of the reference model: 784x256 + 256 + 256x128 + 128 + 128x10 + 10. */
    static final long REFERENCE_WEIGHTS = 784L * 256 + 256 + 256L * 128 + 128 + 128L * 10 + 10;
    /**
     * What one histogram update (a row, a feature, a tree level) of a boosting round costs, in network weights per row:
     * 1.2 to 3 ns on this 2-core machine (XGBoost 3.4, hist; from 10,000 to 50,000 rows, 50 to 784 columns), where a
     * reference sample of a worker scoring 6,700 samples/s takes 149 us, 0.63 ns a weight.
     */
    static final double TREE_CELL_WEIGHTS = 3;
    /** What a boosting round costs per tree beyond its histograms, in reference samples: about 0.15 ms on that machine. */
    static final double TREE_ROUND_SAMPLES = 1;

    static PriceEstimate of(long rows, int epochs, ModelCard card, double measuredScore, BigDecimal pricePerHourAic) {
        double seconds = seconds(rows, epochs, card, measuredScore);
        BigDecimal cost = pricePerHourAic.multiply(BigDecimal.valueOf(seconds))
                .divide(BigDecimal.valueOf(3600), 6, RoundingMode.UP);
        return new PriceEstimate(seconds, cost.stripTrailingZeros());
    }

    /** The training time the formula above gives a worker of {@code measuredScore} samples per second. */
    public static double seconds(long rows, int epochs, ModelCard card, double measuredScore) {
        if (card.isTrees()) {
            long trees = card.isClassification() && card.outputSize() > 2 ? card.outputSize() : 1;
            int depth = card.hyperparameter("maxDepth").map(h -> ((java.math.BigDecimal) h.defaultValue()).intValue()).orElse(6);
            double histograms = rows * (double) card.inputFeatureCount() * depth * TREE_CELL_WEIGHTS / REFERENCE_WEIGHTS;
            return epochs * trees * (histograms + TREE_ROUND_SAMPLES) / measuredScore;
        }
        return rows * (double) epochs * weights(card) / REFERENCE_WEIGHTS / measuredScore;
    }

    /**
     * Weights and biases of the card's network: each dense layer has in x out weights and out biases; a cnn adds the
     * multiply-adds of its conv blocks per image; a fasttext classifier the embedding rows its ids read, and its share of
     * the optimizer's pass over the whole embedding each batch.
     */
    static long weights(ModelCard card) {
        // a cnn's step costs what its convolutions multiply and add, as a dense layer's costs about its weights
        long total = card.isConvolutional() ? card.convArchitecture().multiplyAdds() : 0;
        if (card.isText()) {
            ModelCard.TextArchitecture text = card.textArchitecture();
            long batch = card.hyperparameter("batchSize").map(h -> ((java.math.BigDecimal) h.defaultValue()).longValue()).orElse(32L);
            total += (long) text.textSlots() * text.embeddingDim() + text.embeddingParameters() / Math.max(1, batch);
        }
        long in = card.denseInputSize();
        List<Integer> hidden = ModelCard.TEMPLATE_SOFTMAX_REGRESSION.equals(card.architectureTemplate()) ? List.of() : card.hiddenSizes();
        for (int width : hidden) {
            total += in * width + width;
            in = width;
        }
        return total + in * card.outputSize() + card.outputSize();
    }

    public long minutes() {
        return Math.max(1, Math.round(Math.ceil(seconds / 60)));
    }
}
