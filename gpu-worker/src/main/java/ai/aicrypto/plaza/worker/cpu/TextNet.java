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
        long features = x.getShape().get(1), numbers = features - text.textSlots();
        NDArray slots = x.get(new NDIndex(":, {}:", numbers));
        NDArray used = slots.gt(0f).toType(DataType.FLOAT32, false);
        NDArray ids = slots.sub(1f).maximum(0f).toType(DataType.INT64, false);
        if (ids.max().getLong() >= text.buckets()) throw new IllegalArgumentException("a text id is beyond the card's " + text.buckets() + " buckets");
        NDArray rows = Embedding.embedding(ids, tensor(TextSpec.EMBEDDING), SparseFormat.DENSE).singletonOrThrow(); // [n, slots, dim]
        NDArray sum = rows.mul(used.expandDims(2)).sum(new int[]{1});
        NDArray a = sum.div(used.sum(new int[]{1}, true).maximum(1f));
        if (numbers > 0) a = a.concat(x.get(new NDIndex(":, :{}", numbers)), 1);
        return denseLayers(a, headMasks);
    }
}
