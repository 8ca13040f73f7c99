package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.aicrypto.plaza.worker.model.Hyperparameters;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import ai.aicrypto.plaza.worker.model.OptimizerKind;
import ai.aicrypto.plaza.worker.model.TextSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole training state after an epoch (epoch 0: the initial state), from which training resumes bit for bit on
 * the same engine: the parameters, the optimizer's moments and its step count (Adam's bias correction depends on it).
 * The plaza audits a job by having another worker train one epoch from the job's checkpoint before it.
 * <p>
 * File format {@value #FORMAT}: safetensors, all F32, tensors in the canonical order (a fasttext's
 * {@code embedding.0.weight} [buckets, dim] first; a cnn's blocks first: for each
 * block {@code conv.i.weight}, {@code conv.i.bias}, then with batch norm {@code bn.i.weight}, {@code bn.i.bias},
 * {@code bn.i.running_mean}, {@code bn.i.running_var}; then for each dense layer {@code layers.l.weight},
 * {@code layers.l.bias}; then the trainable ones' moments, prefixed {@code optimizer.m.} when the optimizer has a first
 * moment, then prefixed {@code optimizer.v.} for Adam; batch norm's running statistics have none), metadata {@code format}, {@code epoch},
 * {@code step} as decimals. Equal states give equal bytes, so the plaza compares checkpoints by their SHA-256.
 *
 * @param step optimizer updates made so far
 */
public record Checkpoint(int epoch, long step, Map<String, FloatTensor> tensors) {

    public static final String FORMAT = "aiplaza-checkpoint-v1";

    private static final String FIRST_MOMENT = "optimizer.m.";
    private static final String SECOND_MOMENT = "optimizer.v.";
    private static final Pattern NAME = Pattern.compile("(optimizer\\.[mv]\\.)?(embedding|conv|bn|layers)\\.(0|[1-9]\\d{0,8})\\.(weight|bias|running_mean|running_var)");
    private static final List<String> MEMBERS = List.of("weight", "bias", "running_mean", "running_var");
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9]\\d{0,17}");
    /**
     * Parameters first, then first moments, then second moments; conv blocks before dense layers; by block or layer;
     * a block's conv before its batch norm; weight, bias, running mean, running variance. (A dense network's files are
     * ordered as before cnns existed.)
     */
    private static final Comparator<String> CANONICAL = Comparator.<String>comparingInt(n -> n.startsWith(FIRST_MOMENT) ? 1 : n.startsWith(SECOND_MOMENT) ? 2 : 0)
            .thenComparingInt(n -> name(n).group(2).equals("layers") ? 1 : 0)
            .thenComparingInt(n -> Integer.parseInt(name(n).group(3)))
            .thenComparingInt(n -> name(n).group(2).equals("bn") ? 1 : 0)
            .thenComparingInt(n -> MEMBERS.indexOf(name(n).group(4)));

    /** Puts the tensors in the canonical order, whatever order they are given in. */
    public Checkpoint {
        if (epoch < 0 || step < 0) throw new IllegalArgumentException("negative epoch or step in a checkpoint");
        tensors.keySet().forEach(Checkpoint::name);
        Map<String, FloatTensor> ordered = new LinkedHashMap<>();
        for (String n : tensors.keySet().stream().sorted(CANONICAL).toList()) ordered.put(n, tensors.get(n));
        tensors = java.util.Collections.unmodifiableMap(ordered);
    }

    private static Matcher name(String tensor) {
        Matcher m = NAME.matcher(tensor);
        boolean statistic = m.matches() && m.group(4).startsWith("running_");
        if (!m.matches() || statistic && (m.group(1) != null || !m.group(2).equals("bn"))) {
            throw new IllegalArgumentException("'" + tensor + "' is not a checkpoint tensor");
        }
        return m;
    }

    /** The optimizer's first moment of a parameter (SGD's momentum buffer, Adam's m). */
    public static String firstMoment(String parameter) {
        return FIRST_MOMENT + parameter;
    }

    /** Adam's second moment (v) of a parameter. */
    public static String secondMoment(String parameter) {
        return SECOND_MOMENT + parameter;
    }

    public static boolean hasFirstMoment(Hyperparameters hp) {
        return hp.optimizer() == OptimizerKind.ADAM || hp.momentum() > 0;
    }

    public static boolean hasSecondMoment(Hyperparameters hp) {
        return hp.optimizer() == OptimizerKind.ADAM;
    }

    /** Checkpoint 0: the seeded initial parameters ({@link ParameterInit}), zero moments, no step yet. */
    public static Checkpoint initial(ModelSpec spec, int inputSize) {
        Map<String, FloatTensor> t = new LinkedHashMap<>(ParameterInit.initialize(spec, inputSize));
        layout(spec, inputSize).forEach((name, shape) -> t.putIfAbsent(name, new FloatTensor(shape, new float[count(shape)]))); // the moments
        return new Checkpoint(0, 0, t);
    }

    /**
     * A fine-tuning job's checkpoint 0: the parent model's weights (and batch-norm statistics) in this card's network,
     * fresh optimizer moments, no step yet. The output layer starts at zero when the parent's has another width (it was
     * trained for other classes); every other tensor must be the parent's in name and shape.
     *
     * @param parent the parent model's tensors (its weights file)
     * @throws IllegalArgumentException naming the first tensor the parent lacks or has in another shape
     */
    public static Checkpoint fineTuned(ModelSpec spec, int inputSize, Map<String, FloatTensor> parent) {
        Map<String, FloatTensor> t = new LinkedHashMap<>(initial(spec, inputSize).tensors());
        int last = spec.layerCount() - 1;
        Set<String> head = Set.of(ModelSpec.weightName(last), ModelSpec.biasName(last));
        for (Map.Entry<String, FloatTensor> fresh : t.entrySet()) {
            String name = fresh.getKey();
            if (name.startsWith(FIRST_MOMENT) || name.startsWith(SECOND_MOMENT)) continue;
            FloatTensor inherited = parent.get(name);
            if (inherited == null) {
                throw new IllegalArgumentException("the parent model has no tensor " + name + ": it is another architecture");
            }
            long[] want = fresh.getValue().shape(), have = inherited.shape();
            boolean otherClasses = head.contains(name) && have.length == want.length && (have.length == 1 || have[1] == want[1]);
            if (!Arrays.equals(want, have)) {
                if (otherClasses) {
                    // zeros: every class starts equally likely, whatever the scale of the parent's features (a head drawn
                    // for a new network answered them with large logits, and learned slower than one from scratch)
                    fresh.setValue(new FloatTensor(want, new float[fresh.getValue().size()]));
                    continue;
                }
                throw new IllegalArgumentException("the parent model's " + name + " is " + Arrays.toString(have) + ", this network's "
                        + Arrays.toString(want) + ": another architecture or input");
            }
            fresh.setValue(inherited);
        }
        return new Checkpoint(0, 0, t);
    }

    /** Names and shapes of the tensors a checkpoint of this network and optimizer holds. */
    private static Map<String, long[]> layout(ModelSpec spec, int inputSize) {
        int[] sizes = spec.layerSizes(inputSize);
        Map<String, long[]> params = new LinkedHashMap<>();
        Map<String, long[]> statistics = new LinkedHashMap<>();
        if (spec.isText()) {
            params.put(TextSpec.EMBEDDING, new long[]{spec.text().buckets(), spec.text().embeddingDim()});
        }
        if (spec.isConvolutional()) {
            int[][] shapes = spec.conv().shapes();
            for (int i = 0; i < spec.conv().blocks().size(); i++) {
                ConvSpec.Block b = spec.conv().blocks().get(i);
                params.put(ConvSpec.convWeight(i), new long[]{b.channels(), shapes[i][0], b.kernel(), b.kernel()});
                params.put(ConvSpec.convBias(i), new long[]{b.channels()});
                if (b.batchNorm()) {
                    params.put(ConvSpec.batchNorm(i, "weight"), new long[]{b.channels()});
                    params.put(ConvSpec.batchNorm(i, "bias"), new long[]{b.channels()});
                    statistics.put(ConvSpec.batchNorm(i, "running_mean"), new long[]{b.channels()});
                    statistics.put(ConvSpec.batchNorm(i, "running_var"), new long[]{b.channels()});
                }
            }
        }
        for (int l = 0; l < sizes.length - 1; l++) {
            params.put(ModelSpec.weightName(l), new long[]{sizes[l + 1], sizes[l]});
            params.put(ModelSpec.biasName(l), new long[]{sizes[l + 1]});
        }
        Map<String, long[]> out = new LinkedHashMap<>(params);
        out.putAll(statistics);
        if (hasFirstMoment(spec.hyperparameters())) params.forEach((n, s) -> out.put(firstMoment(n), s));
        if (hasSecondMoment(spec.hyperparameters())) params.forEach((n, s) -> out.put(secondMoment(n), s));
        return out;
    }

    private static int count(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return Math.toIntExact(n);
    }

    /** Refuses a checkpoint of another network or optimizer than the card's. */
    public void requireFits(ModelSpec spec, int inputSize) {
        Map<String, long[]> expected = layout(spec, inputSize);
        if (!expected.keySet().equals(tensors.keySet())) {
            throw new IllegalArgumentException("the checkpoint holds " + tensors.keySet() + ", the card's network and optimizer need "
                    + expected.keySet());
        }
        expected.forEach((n, shape) -> {
            if (!Arrays.equals(shape, tensors.get(n).shape())) {
                throw new IllegalArgumentException("checkpoint tensor " + n + " is " + Arrays.toString(tensors.get(n).shape())
                        + ", the card's network needs " + Arrays.toString(shape));
            }
        });
    }

    public FloatTensor tensor(String name) {
        FloatTensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("the checkpoint has no tensor " + name);
        return t;
    }

    /** The parameters (and batch norm's running statistics) alone, as a trained model holds them. */
    public Map<String, FloatTensor> weights() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        tensors.forEach((n, t) -> {
            if (!n.startsWith("optimizer.")) out.put(n, t);
        });
        return out;
    }

    public void write(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("epoch", Integer.toString(epoch));
        meta.put("step", Long.toString(step));
        Safetensors.writeF32(file, tensors, meta);
    }

    /** Reads a checkpoint file; anything but a well-formed {@value #FORMAT} file is refused with the reason. */
    public static Checkpoint read(Path file) throws IOException {
        Safetensors.Header header;
        try {
            header = Safetensors.readHeader(file);
        } catch (IOException e) {
            throw new IOException(file.getFileName() + " is not a checkpoint: " + e.getMessage(), e);
        }
        Map<String, String> meta = header.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(file.getFileName() + " is not a checkpoint: its format is " + meta.get("format") + ", not " + FORMAT);
        }
        String epoch = meta.getOrDefault("epoch", ""), step = meta.getOrDefault("step", "");
        if (!DECIMAL.matcher(epoch).matches() || !DECIMAL.matcher(step).matches() || epoch.length() > 9) {
            throw new IOException(file.getFileName() + ": bad checkpoint epoch '" + epoch + "' or step '" + step + "'");
        }
        try {
            return new Checkpoint(Integer.parseInt(epoch), Long.parseLong(step), Safetensors.readAllF32(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }
}
