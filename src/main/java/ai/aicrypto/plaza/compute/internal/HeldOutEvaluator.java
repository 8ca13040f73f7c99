package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.nio.file.Path;

import ai.aicrypto.plaza.model.inference.BoostedTrees;
import ai.aicrypto.plaza.model.inference.TrainedNetwork;
import ai.aicrypto.plaza.model.inference.DenseNetwork;
import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.springframework.stereotype.Component;

/**
 * Measures uploaded weights on the held-out split: the card's network ({@link DenseNetwork}, {@link TrainedNetwork}) or tree ensemble
 * ({@link BoostedTrees}), then cross-entropy and accuracy (classification) or mean squared error (regression), as the
 * worker's own evaluator (or XGBoost's mlogloss and rmse) computes them.
 */
@Component
class HeldOutEvaluator {

    record Evaluation(double loss, double accuracy, long samples) {
    }

    /** Below this a predicted probability counts as this, as XGBoost clips it for its log loss. */
    static final double MIN_PROBABILITY = 1e-16;

    Evaluation evaluate(ModelCard card, Path weights, ShardTensors heldOut) throws IOException, F32Tensors.UnfitTensorsException {
        if (card.isTrees()) {
            return evaluateTrees(card, weights, heldOut);
        }
        try (NDManager manager = DenseNetwork.cpuManager(); F32Tensors tensors = F32Tensors.open(weights)) {
            var network = TrainedNetwork.of(card, tensors);
            NDArray x = network.isPresent()
                    ? manager.create(network.get().forward(heldOut.features(), heldOut.rows()),
                            new Shape(heldOut.rows(), card.outputSize()))
                    : DenseNetwork.forward(manager, card, heldOut.featureCount(), tensors,
                            manager.create(heldOut.features(), new Shape(heldOut.rows(), heldOut.featureCount())));
            if (card.isClassification()) {
                NDArray labels = manager.create(heldOut.labels());
                NDArray logProbabilities = x.logSoftmax(1);
                double loss = -logProbabilities.mul(labels.oneHot(card.outputSize())).sum().getFloat() / heldOut.rows();
                double accuracy = logProbabilities.argMax(1).eq(labels).toType(DataType.FLOAT32, false).mean().getFloat();
                return new Evaluation(loss, accuracy, heldOut.rows());
            }
            NDArray targets = manager.create(heldOut.targets(), new Shape(heldOut.rows(), 1));
            double loss = x.sub(targets).square().mean().getFloat();
            return new Evaluation(loss, Double.NaN, heldOut.rows());
        }
    }

    private static Evaluation evaluateTrees(ModelCard card, Path weights, ShardTensors heldOut) {
        BoostedTrees trees = BoostedTrees.read(weights, BoostedTrees.Limits.widestOf(card)).requireFits(card);
        double[][] predicted = trees.predict(heldOut.features(), heldOut.rows());
        double loss = 0;
        long correct = 0;
        for (int r = 0; r < heldOut.rows(); r++) {
            double[] p = predicted[r];
            if (card.isClassification()) {
                int label = (int) heldOut.labels()[r];
                int best = 0;
                for (int c = 1; c < p.length; c++) {
                    best = p[c] > p[best] ? c : best;
                }
                correct += best == label ? 1 : 0;
                loss -= Math.log(Math.max(MIN_PROBABILITY, label >= 0 && label < p.length ? p[label] : 0));
            } else {
                double d = p[0] - heldOut.targets()[r];
                loss += d * d;
            }
        }
        int n = heldOut.rows();
        return new Evaluation(loss / n, card.isClassification() ? (double) correct / n : Double.NaN, n);
    }
}
