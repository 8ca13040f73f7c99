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
 * twice the weights is taken to run at half the rate. A boosting round of trees (an "epoch" here) costs per row about
 * one histogram update per feature, tree level and tree of the round; {@link #TREE_STEP_WEIGHTS} turns that into the
 * weights of a network step of the same cost on the CPU (measured by ops/bench/training). Data transfer, start-up
 * and verification are not counted.
 */
public record PriceEstimate(double seconds, BigDecimal costAic) {

    /** Weights and biases of the reference model: 784x256 + 256 + 256x128 + 128 + 128x10 + 10. */
    static final long REFERENCE_WEIGHTS = 784L * 256 + 256 + 256L * 128 + 128 + 128L * 10 + 10;
    /** What one histogram update of a boosting round costs, in network weights per row. */
    static final long TREE_STEP_WEIGHTS = 64;

    static PriceEstimate of(long rows, int epochs, ModelCard card, double measuredScore, BigDecimal pricePerHourAic) {
        double seconds = seconds(rows, epochs, card, measuredScore);
        BigDecimal cost = pricePerHourAic.multiply(BigDecimal.valueOf(seconds))
                .divide(BigDecimal.valueOf(3600), 6, RoundingMode.UP);
        return new PriceEstimate(seconds, cost.stripTrailingZeros());
    }

    /** The training time the formula above gives a worker of {@code measuredScore} samples per second. */
    public static double seconds(long rows, int epochs, ModelCard card, double measuredScore) {
        return rows * (double) epochs * weights(card) / REFERENCE_WEIGHTS / measuredScore;
    }

    /**
     * Weights and biases of the card's network: each dense layer has in x out weights and out biases; a cnn adds the
     * multiply-adds of its conv blocks per image; a fasttext classifier the embedding rows its ids read, and its share of
     * the optimizer's pass over the whole embedding each batch.
     */
    static long weights(ModelCard card) {
        if (card.isTrees()) {
            long trees = card.isClassification() && card.outputSize() > 2 ? card.outputSize() : 1;
            int depth = card.hyperparameter("maxDepth").map(h -> ((java.math.BigDecimal) h.defaultValue()).intValue()).orElse(6);
            return card.inputFeatureCount() * trees * depth * TREE_STEP_WEIGHTS;
        }
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
