package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.nio.file.Path;

import ai.aicrypto.plaza.model.inference.DenseNetwork;
import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.springframework.stereotype.Component;

/**
 * Measures uploaded weights on the held-out split: the card's network ({@link DenseNetwork}), then softmax
 * cross-entropy and accuracy (classification) or mean squared error (regression), as the worker's own
 * evaluator computes them.
 */
@Component
class HeldOutEvaluator {

    record Evaluation(double loss, double accuracy, long samples) {
    }

    Evaluation evaluate(ModelCard card, Path weights, ShardTensors heldOut) throws IOException, F32Tensors.UnfitTensorsException {
        try (NDManager manager = DenseNetwork.cpuManager(); F32Tensors tensors = F32Tensors.open(weights)) {
            NDArray x = DenseNetwork.forward(manager, card, heldOut.featureCount(), tensors,
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
}
