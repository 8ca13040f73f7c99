package ai.aicrypto.plaza.worker.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The convolutional part of a {@value #TEMPLATE} card (spec 1.3): the image shape, the conv blocks in order and the
 * training-time augmentation. A block is conv (PyTorch's cross-correlation, square kernel) -> batch norm (if asked) ->
 * the card's activation -> pooling (if asked, window = stride = {@code poolSize}, no padding, floor). The dense head
 * ({@link ModelSpec#hiddenSizes()}) reads the last block's output flattened in [channels, height, width] order.
 * Tensors: {@code conv.i.weight} [out, in, k, k], {@code conv.i.bias} [out], and with batch norm {@code bn.i.weight}
 * (gamma), {@code bn.i.bias} (beta), {@code bn.i.running_mean}, {@code bn.i.running_var} [out], as PyTorch names them.
 */
public record ConvSpec(int channels, int height, int width, List<Block> blocks, Augmentation augmentation) {

    public static final String TEMPLATE = "cnn";
    /** PyTorch's BatchNorm2d defaults: the running statistics move 10 % toward each batch's. */
    public static final float BN_MOMENTUM = 0.1f, BN_EPSILON = 1e-5f;

    public enum Pooling { NONE, MAX, AVG }

    public record Block(int channels, int kernel, int stride, int padding, boolean batchNorm, Pooling pool, int poolSize) {
        public Block {
            if (channels < 1 || kernel < 1 || stride < 1 || padding < 0 || poolSize < 1) {
                throw new IllegalArgumentException("bad conv block: channels, kernel, stride and poolSize must be >= 1, padding >= 0");
            }
        }
    }

    /** Random crop of the image padded by {@code cropPadding} zeros on each side, and random left-right flips. */
    public record Augmentation(int cropPadding, boolean horizontalFlip) {
        public static final Augmentation NONE = new Augmentation(0, false);

        public boolean active() {
            return cropPadding > 0 || horizontalFlip;
        }
    }

    public ConvSpec {
        blocks = List.copyOf(blocks);
        if (blocks.isEmpty()) throw new IllegalArgumentException("a cnn needs at least one conv block");
        if (channels < 1 || height < 1 || width < 1) throw new IllegalArgumentException("bad image shape");
        shapes(channels, height, width, blocks); // refuses blocks that shrink the image away
    }

    static ConvSpec fromCard(JsonNode card, JsonNode architecture) {
        JsonNode shape = card.path("input").path("shape");
        if (!card.path("input").path("kind").asText().equals("image") || !shape.isArray() || shape.size() < 2) {
            throw new IllegalArgumentException("a cnn card needs an image input");
        }
        int c = shape.size() == 3 ? shape.get(0).asInt() : 1;
        int h = shape.get(shape.size() - 2).asInt(), w = shape.get(shape.size() - 1).asInt();
        List<Block> blocks = new ArrayList<>();
        for (JsonNode b : architecture.path("convBlocks")) {
            blocks.add(new Block(b.path("channels").asInt(), b.path("kernel").asInt(), b.path("stride").asInt(1),
                    b.path("padding").asInt(0), b.path("batchNorm").asBoolean(false),
                    Pooling.valueOf(b.path("pool").asText("none").toUpperCase(java.util.Locale.ROOT)), b.path("poolSize").asInt(2)));
        }
        JsonNode aug = architecture.path("augmentation");
        return new ConvSpec(c, h, w, blocks, new Augmentation(aug.path("cropPadding").asInt(0), aug.path("horizontalFlip").asBoolean(false)));
    }

    /** [channels, height, width] after each block (index 0: the input). */
    public int[][] shapes() {
        return shapes(channels, height, width, blocks);
    }

    private static int[][] shapes(int c, int h, int w, List<Block> blocks) {
        int[][] out = new int[blocks.size() + 1][];
        out[0] = new int[]{c, h, w};
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            h = (h + 2 * b.padding() - b.kernel()) / b.stride() + 1;
            w = (w + 2 * b.padding() - b.kernel()) / b.stride() + 1;
            if (b.pool() != Pooling.NONE) {
                h /= b.poolSize();
                w /= b.poolSize();
            }
            if (h < 1 || w < 1) throw new IllegalArgumentException("conv block " + i + " shrinks the image to nothing");
            out[i + 1] = new int[]{b.channels(), h, w};
        }
        return out;
    }

    /** Width of the flattened last block: the dense head's input. */
    public int flattenedSize() {
        int[] last = shapes()[blocks.size()];
        return last[0] * last[1] * last[2];
    }

    public int inputSize() {
        return channels * height * width;
    }

    public static String convWeight(int block) {
        return "conv." + block + ".weight";
    }

    public static String convBias(int block) {
        return "conv." + block + ".bias";
    }

    /**
     * Whether the optimizer leaves a tensor as initialised: the bias of a conv that batch norm follows. Batch norm takes
     * the batch's mean away, so that bias's true gradient is zero and what an engine computes for it is rounding noise,
     * which Adam scales up to full steps of either sign: a different walk on every engine and CPU, so an audit on another
     * machine would land away from the claim (5e-3 of an epoch's movement after 15 steps). Its moments stay in the checkpoint.
     */
    public boolean frozen(String tensor) {
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).batchNorm() && tensor.equals(convBias(i))) return true;
        }
        return false;
    }

    /** {@code bn.i.weight}, {@code bn.i.bias}, {@code bn.i.running_mean} or {@code bn.i.running_var}. */
    public static String batchNorm(int block, String member) {
        return "bn." + block + "." + member;
    }
}
