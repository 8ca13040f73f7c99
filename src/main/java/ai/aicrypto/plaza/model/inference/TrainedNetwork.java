package ai.aicrypto.plaza.model.inference;

import java.io.IOException;
import java.util.Optional;

import ai.aicrypto.plaza.model.card.ModelCard;

/**
 * A network family whose weights the plaza loads once and runs from memory ({@link ConvNetwork}, {@link TextNetwork}):
 * the one place that maps a card to its forward pass. Dense networks run through {@link DenseNetwork} and trees through
 * {@link BoostedTrees}.
 */
public interface TrainedNetwork {

    /** @return logits (classification) or predicted values (regression), [rows, outputs], for x [rows, inputs] */
    float[] forward(float[] x, int rows);

    /** Bytes the network's weights take. */
    long memoryBytes();

    /**
     * The card's network with these weights, when its family is one of these; empty for dense networks and trees.
     *
     * @throws F32Tensors.UnfitTensorsException when the weights do not hold the card's network
     */
    static Optional<TrainedNetwork> of(ModelCard card, LayerWeights weights) throws IOException, F32Tensors.UnfitTensorsException {
        if (card.isConvolutional()) {
            return Optional.of(ConvNetwork.of(card, weights));
        }
        if (card.isText()) {
            return Optional.of(TextNetwork.of(card, weights));
        }
        return Optional.empty();
    }
}
