package ai.aicrypto.plaza.worker.bench;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDList;
import ai.aicrypto.plaza.worker.model.TextSpec;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.nio.file.Path;

/**
 * The yardstick of the training benchmark: a plain, hand-written DJL training loop (SequentialBlock of Linear,
 * ReLU and Dropout blocks, for a cnn after Conv2d, BatchNorm, ReLU and pooling blocks, for a fasttext card after an
 * {@link EmbeddingBag} block written as a DJL user would; DJL's Adam, Trainer +
 * EasyTrain.trainBatch) over the same shards and the same network, including loading the shards and saving the
 * parameters, as a DJL user would write it.
 */
public final class PlainDjlBaseline {

    public record Result(long samples, double seconds) {
        public double samplesPerSecond() {
            return samples / seconds;
        }
    }

    private PlainDjlBaseline() {
    }

    public static Result run(ModelSpec spec, Path shardDir, Path outDir) throws Exception {
        DjlCpuEngine.pytorch();
        var hp = spec.hyperparameters();
        long t0 = System.nanoTime();
        ShardDirectoryData data = ShardDirectoryData.open(shardDir);
        int fc = data.featureCount();
        int rows = (int) data.rows();
        float[] features = new float[rows * fc];
        float[] labels = new float[rows];
        int at = 0;
        for (int s = 0; s < data.shardCount(); s++) {
            Shard sh = data.shard(s);
            System.arraycopy(sh.features(), 0, features, at * fc, sh.rows() * fc);
            for (int i = 0; i < sh.rows(); i++) labels[at + i] = sh.labels()[i];
            at += sh.rows();
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
             Model model = Model.newInstance("plain-djl", Device.cpu(), "PyTorch")) {
            NDArray x = manager.create(features, new Shape(rows, fc));
            NDArray y = manager.create(labels, new Shape(rows));
            features = null;
            SequentialBlock net = new SequentialBlock();
            if (spec.isConvolutional()) convBlocks(net, spec.conv());
            if (spec.isText()) net.add(new EmbeddingBag(spec.text()));
            for (int h : spec.hiddenSizes()) {
                net.add(Linear.builder().setUnits(h).build()).add(Activation.reluBlock());
                if (spec.dropout() > 0) net.add(Dropout.builder().optRate((float) spec.dropout()).build());
            }
            net.add(Linear.builder().setUnits(spec.outputSize()).build());
            model.setBlock(net);
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) hp.learningRate()))
                    .optWeightDecays((float) hp.weightDecay()).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(adam)
                    .addEvaluator(new Accuracy()).optDevices(new Device[]{Device.cpu()});
            ArrayDataset dataset = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(hp.batchSize(), true).build();
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(hp.batchSize(), fc));
                for (int epoch = 0; epoch < hp.epochs(); epoch++) {
                    for (Batch batch : trainer.iterateDataset(dataset)) {
                        EasyTrain.trainBatch(trainer, batch);
                        trainer.step();
                        batch.close();
                    }
                }
            }
            model.save(outDir, "plain-djl");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result((long) rows * hp.epochs(), seconds);
    }

    /** The conv blocks as DJL's own blocks, after reshaping each row to an image. */
    private static void convBlocks(SequentialBlock net, ConvSpec conv) {
        net.add(new LambdaBlock(in -> new NDList(in.singletonOrThrow().reshape(-1, conv.channels(), conv.height(), conv.width()))));
        for (ConvSpec.Block b : conv.blocks()) {
            net.add(Conv2d.builder().setFilters(b.channels()).setKernelShape(new Shape(b.kernel(), b.kernel()))
                    .optStride(new Shape(b.stride(), b.stride())).optPadding(new Shape(b.padding(), b.padding())).build());
            if (b.batchNorm()) net.add(BatchNorm.builder().build());
            net.add(Activation.reluBlock());
            Shape window = new Shape(b.poolSize(), b.poolSize());
            if (b.pool() == ConvSpec.Pooling.MAX) net.add(Pool.maxPool2dBlock(window, window));
            if (b.pool() == ConvSpec.Pooling.AVG) net.add(Pool.avgPool2dBlock(window, window));
        }
        net.add(Blocks.batchFlattenBlock());
    }

    /**
     * A fasttext card's embedding bag as a DJL block: the mean of the embedding rows of the trailing {@code textSlots}
     * ids ({@code id + 1}, 0 unused), the numeric features after it. Its gradient is dense, as DJL's optimizers take it.
     */
    private static final class EmbeddingBag extends AbstractBlock {
        private final TextSpec text;
        private final Parameter embedding;

        EmbeddingBag(TextSpec text) {
            this.text = text;
            embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(text.buckets(), text.embeddingDim())).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            long numbers = x.getShape().get(1) - text.textSlots();
            NDArray slots = x.get(new NDIndex(":, {}:", numbers));
            NDArray used = slots.gt(0f).toType(DataType.FLOAT32, false);
            NDArray ids = slots.sub(1f).maximum(0f).toType(DataType.INT64, false);
            NDArray rows = Embedding.embedding(ids, store.getValue(embedding, x.getDevice(), training), SparseFormat.DENSE).singletonOrThrow();
            NDArray mean = rows.mul(used.expandDims(2)).sum(new int[]{1}).div(used.sum(new int[]{1}, true).maximum(1f));
            return new NDList(numbers > 0 ? mean.concat(x.get(new NDIndex(":, :{}", numbers)), 1) : mean);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputs) {
            return new Shape[]{new Shape(inputs[0].get(0), text.denseInputSize((int) inputs[0].get(1)))};
        }
    }
}
