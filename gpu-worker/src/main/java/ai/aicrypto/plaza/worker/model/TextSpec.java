package ai.aicrypto.plaza.worker.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The text part of a {@value #TEMPLATE} card (spec 1.4), a fastText-style classifier: the input's trailing
 * {@code textSlots} features are hashed n-gram ids written as {@code id + 1} (0: an unused slot), the features before
 * them numbers. The ids' rows of the embedding ({@value #EMBEDDING} [buckets, embeddingDim]) are averaged over the
 * slots in use (a bag; no id: zeros), the numbers appended after that mean, and the dense layers
 * ({@link ModelSpec#hiddenSizes()}, then the output) read the result.
 */
public record TextSpec(int buckets, int embeddingDim, int textSlots) {

    public static final String TEMPLATE = "fasttext";
    /** The embedding table; named like a layer so checkpoints order it before the dense layers. */
    public static final String EMBEDDING = "embedding.0.weight";

    public TextSpec {
        if (buckets < 1 || embeddingDim < 1 || textSlots < 1) {
            throw new IllegalArgumentException("a fasttext card needs buckets, embeddingDim and textSlots >= 1");
        }
    }

    static TextSpec fromCard(JsonNode architecture) {
        return new TextSpec(architecture.path("buckets").asInt(0), architecture.path("embeddingDim").asInt(0),
                architecture.path("textSlots").asInt(0));
    }

    /** What the dense layers read: the mean embedding, then the numeric features. */
    public int denseInputSize(int inputSize) {
        return embeddingDim + inputSize - textSlots;
    }
}
