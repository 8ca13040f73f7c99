package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import ai.aicrypto.plaza.model.card.ConvArchitecture;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.inference.DenseNetwork;
import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.model.inference.LayerWeights;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * A cnn card's weights by name, with DJL/PyTorch's own forward pass of them (conv2d, batch norm on its running
 * statistics, pooling, linear: as the gpu-worker's CPU engine runs them), to hold the plaza's plain-Java
 * {@code ConvNetwork} to; and real Fashion-MNIST images (Debian's dataset-fashion-mnist) to run them on.
 */
public record ConvReference(ModelCard card, Map<String, float[]> values, Map<String, List<Long>> shapes) {

    public static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    /** Seeded random weights, with batch norm far from the identity (so that folding it is tested). */
    public static ConvReference random(ModelCard card, long seed) {
        Random random = new Random(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        ConvArchitecture conv = card.convArchitecture();
        for (int i = 0; i < conv.blocks().size(); i++) {
            ConvArchitecture.Block b = conv.blocks().get(i);
            long out = b.channels(), in = conv.shapes().get(i).channels(), k = b.kernel();
            double bound = Math.sqrt(6.0 / (in * k * k));
            put(values, shapes, "conv." + i + ".weight", List.of(out, in, k, k), random, -bound, bound);
            put(values, shapes, "conv." + i + ".bias", List.of(out), random, -0.1, 0.1);
            if (b.batchNorm()) {
                put(values, shapes, "bn." + i + ".weight", List.of(out), random, 0.5, 1.5);
                put(values, shapes, "bn." + i + ".bias", List.of(out), random, -0.2, 0.2);
                put(values, shapes, "bn." + i + ".running_mean", List.of(out), random, -0.3, 0.3);
                put(values, shapes, "bn." + i + ".running_var", List.of(out), random, 0.5, 2);
            }
        }
        long in = conv.flattenedSize();
        List<Integer> widths = new java.util.ArrayList<>(card.hiddenSizes());
        widths.add(card.outputSize());
        for (int l = 0; l < widths.size(); l++) {
            long out = widths.get(l);
            double bound = Math.sqrt(6.0 / in);
            put(values, shapes, "layers." + l + ".weight", List.of(out, in), random, -bound, bound);
            put(values, shapes, "layers." + l + ".bias", List.of(out), random, -0.1, 0.1);
            in = out;
        }
        return new ConvReference(card, values, shapes);
    }

    /** Every tensor of a weights file (as a worker uploaded it). */
    public static ConvReference read(ModelCard card, Path file) throws IOException, F32Tensors.UnfitTensorsException {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        try (F32Tensors tensors = F32Tensors.open(file)) {
            for (var t : tensors.summary().tensors().entrySet()) {
                shapes.put(t.getKey(), t.getValue().shape());
                values.put(t.getKey(), tensors.read(t.getKey(), t.getValue().shape()));
            }
        }
        return new ConvReference(card, values, shapes);
    }

    private static void put(Map<String, float[]> values, Map<String, List<Long>> shapes, String name, List<Long> shape,
                            Random random, double low, double high) {
        float[] v = new float[(int) shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (low + (high - low) * random.nextDouble());
        }
        values.put(name, v);
        shapes.put(name, shape);
    }

    /** The tensors as the plaza's readers take them. */
    public LayerWeights weights() {
        return LayerWeights.of(values, shapes);
    }

    /** The tensors as a safetensors file. */
    public byte[] safetensors() {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (var t : values.entrySet()) {
            long bytes = 4L * t.getValue().length;
            header.append(header.length() > 1 ? "," : "").append(String.format("\"%s\":{\"dtype\":\"F32\",\"shape\":%s,\"data_offsets\":[%d,%d]}",
                    t.getKey(), shapes.get(t.getKey()).toString().replace(" ", ""), offset, offset + bytes));
            offset += bytes;
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        values.values().forEach(v -> {
            for (float f : v) {
                out.putFloat(f);
            }
        });
        return out.array();
    }

    /** DJL/PyTorch's forward pass of the weights, [rows, outputs]. */
    public float[] forward(float[] x, int rows) {
        ConvArchitecture conv = card.convArchitecture();
        try (NDManager manager = DenseNetwork.cpuManager()) {
            NDArray a = manager.create(x, new Shape(rows, conv.channels(), conv.height(), conv.width()));
            for (int i = 0; i < conv.blocks().size(); i++) {
                ConvArchitecture.Block b = conv.blocks().get(i);
                a = Conv2d.conv2d(a, array(manager, "conv." + i + ".weight"), array(manager, "conv." + i + ".bias"),
                        new Shape(b.stride(), b.stride()), new Shape(b.padding(), b.padding()), new Shape(1, 1), 1).singletonOrThrow();
                if (b.batchNorm()) {
                    a = BatchNorm.batchNorm(a, array(manager, "bn." + i + ".running_mean"), array(manager, "bn." + i + ".running_var"),
                            array(manager, "bn." + i + ".weight"), array(manager, "bn." + i + ".bias"), 1, 0.1f, 1e-5f, false).singletonOrThrow();
                }
                a = activate(a);
                Shape window = new Shape(b.poolSize(), b.poolSize());
                a = switch (b.pool()) {
                    case NONE -> a;
                    case MAX -> Pool.maxPool2d(a, window, window, new Shape(0, 0), false);
                    case AVG -> Pool.avgPool2d(a, window, window, new Shape(0, 0), false, true);
                };
            }
            a = a.reshape(rows, -1);
            int layers = card.hiddenSizes().size() + 1;
            for (int l = 0; l < layers; l++) {
                a = Linear.linear(a, array(manager, "layers." + l + ".weight"), array(manager, "layers." + l + ".bias")).singletonOrThrow();
                if (l < layers - 1) {
                    a = activate(a);
                }
            }
            return a.toFloatArray();
        }
    }

    private NDArray array(NDManager manager, String name) {
        return manager.create(values.get(name), new Shape(shapes.get(name).stream().mapToLong(Long::longValue).toArray()));
    }

    private NDArray activate(NDArray a) {
        return "gelu".equals(card.activation().orElse("relu")) ? Activation.gelu(a) : Activation.relu(a);
    }

    /** The first {@code count} Fashion-MNIST test images, scaled to [0, 1] as the plaza's preprocessing scales them. */
    public static float[] fashionImages(int count) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(FASHION.resolve("t10k-images-idx3-ubyte.gz")))) {
            in.readNBytes(16);
            byte[] pixels = in.readNBytes(count * 784);
            float[] x = new float[pixels.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (pixels[i] & 0xff) / 255f;
            }
            return x;
        }
    }

    /** The classes of the first {@code count} Fashion-MNIST test images. */
    public static int[] fashionLabels(int count) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(FASHION.resolve("t10k-labels-idx1-ubyte.gz")))) {
            in.readNBytes(8);
            byte[] labels = in.readNBytes(count);
            int[] y = new int[count];
            for (int i = 0; i < count; i++) {
                y[i] = labels[i];
            }
            return y;
        }
    }
}
