package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.TextSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

import java.util.Map;

/**
 * A fasttext card's network ({@link TextSpec}) on DJL's PyTorch engine: the mean of the embedding rows of a record's
 * ids (the slots holding {@code id + 1}; empty slots hold 0 and count for nothing), the numeric features after it,
 * then the dense layers with the card's activation between them.
 */
public final class TextNet extends DjlNetwork {

    TextNet(NDManager manager, ModelSpec spec, Map<String, FloatTensor> weights) {
        super(manager, spec, weights);
        if (!spec.isText()) throw new IllegalArgumentException("not a fasttext card");
    }

    @Override
    public NDArray forward(NDArray x, boolean training, NDArray[] headMasks) {
        TextSpec text = spec.text();
        NDArray slots = x.get(new NDIndex(":, {}:", numbers(x)));
        NDArray used = slots.gt(0f).toType(DataType.FLOAT32, false);
        NDArray ids = slots.sub(1f).maximum(0f).toType(DataType.INT64, false);
        if (ids.max().getLong() >= text.buckets()) throw new IllegalArgumentException("a text id is beyond the card's " + text.buckets() + " buckets");
        NDArray rows = Embedding.embedding(ids, tensor(TextSpec.EMBEDDING), SparseFormat.DENSE).singletonOrThrow(); // [n, slots, dim]
        NDArray sum = rows.mul(used.expandDims(2)).sum(new int[]{1});
        return head(x, sum.div(used.sum(new int[]{1}, true).maximum(1f)), headMasks);
    }

    /**
     * The training pass, from the embedding rows the batch uses ({@link EmbeddingRows}): the mean is the product of
     * the batch's averaging weights [n, used rows] and those rows, the same sum without an [n, slots, dim] tensor.
     */
    NDArray forward(NDArray x, EmbeddingRows.Batch batch, NDArray[] headMasks) {
        return head(x, batch.weights().matMul(batch.rows()), headMasks);
    }

    private long numbers(NDArray x) {
        return x.getShape().get(1) - spec.text().textSlots();
    }

    /** The dense layers on the mean embedding and the numbers after it. */
    private NDArray head(NDArray x, NDArray mean, NDArray[] headMasks) {
        long numbers = numbers(x);
        return denseLayers(numbers > 0 ? mean.concat(x.get(new NDIndex(":, :{}", numbers)), 1) : mean, headMasks);
    }
}
