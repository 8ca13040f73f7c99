package ai.aicrypto.plaza.worker.cpu;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.TextSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fasttext card's network ({@link TextSpec}) on DJL's PyTorch engine: the mean of the embedding rows of a record's
 * ids (the slots holding {@code id + 1}; empty slots hold 0 and count for nothing), the numeric features after it,
 * then the dense layers with the card's activation between them.
 */
public final class TextNet implements DjlNetwork {

    private final ModelSpec spec;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();

    TextNet(NDManager manager, ModelSpec spec, Map<String, FloatTensor> weights) {
        if (!spec.isText()) throw new IllegalArgumentException("not a fasttext card");
        this.spec = spec;
        weights.forEach((name, t) -> tensors.put(name, manager.create(t.data(), new Shape(t.shape()))));
    }

    @Override
    public List<String> trainable() {
        return new ArrayList<>(tensors.keySet());
    }

    @Override
    public NDArray tensor(String name) {
        NDArray t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("the network has no tensor " + name);
        return t;
    }

    @Override
    public Map<String, FloatTensor> tensors() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        tensors.forEach((n, a) -> out.put(n, new FloatTensor(a.getShape().getShape(), a.toFloatArray())));
        return out;
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
        int layers = spec.layerCount();
        for (int l = 0; l < layers; l++) {
            a = Linear.linear(a, tensor(ModelSpec.weightName(l)), tensor(ModelSpec.biasName(l))).singletonOrThrow();
            if (l < layers - 1) {
                a = DjlCpuEngine.activate(spec, a);
                if (headMasks != null && headMasks[l] != null) a = a.mul(headMasks[l]);
            }
        }
        return a;
    }
}
