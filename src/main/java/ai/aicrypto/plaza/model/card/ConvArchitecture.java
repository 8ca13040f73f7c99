package ai.aicrypto.plaza.model.card;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.JsonNode;

/**
 * The convolutional part of a {@code cnn} card (spec 1.3), as the gpu-worker trains it: the image shape and the conv
 * blocks in order. A block is a convolution (square kernel; PyTorch's cross-correlation) -> batch norm (if asked) -> the
 * card's activation -> pooling (if asked: window = stride = {@code poolSize}, no padding, rounding down). The dense head
 * ({@link ModelCard#hiddenSizes()}, then the output layer) reads the last block's output flattened as [channel, row,
 * column]. Tensors: {@code conv.i.weight} [out, in, k, k], {@code conv.i.bias} [out], and with batch norm
 * {@code bn.i.weight}, {@code bn.i.bias}, {@code bn.i.running_mean}, {@code bn.i.running_var} [out].
 */
public record ConvArchitecture(int channels, int height, int width, List<Block> blocks) {

    public enum Pooling { NONE, MAX, AVG }

    public record Block(int channels, int kernel, int stride, int padding, boolean batchNorm, Pooling pool, int poolSize) {
    }

    /** [channels, height, width] of a block's output. */
    public record Shape(int channels, int height, int width) {
        public long size() {
            return (long) channels * height * width;
        }
    }

    public ConvArchitecture {
        blocks = List.copyOf(blocks);
    }

    /** The card's conv blocks; the card must be a schema-valid cnn card with an image input. */
    static ConvArchitecture of(JsonNode card) {
        JsonNode shape = card.path("input").path("shape");
        int c = shape.size() == 3 ? shape.get(0).asInt() : 1;
        List<Block> blocks = new ArrayList<>();
        for (JsonNode b : card.path("architecture").path("convBlocks").values()) {
            blocks.add(new Block(b.path("channels").asInt(), b.path("kernel").asInt(), b.path("stride").asInt(1),
                    b.path("padding").asInt(0), b.path("batchNorm").asBoolean(false),
                    Pooling.valueOf(b.path("pool").asString("none").toUpperCase(Locale.ROOT)), b.path("poolSize").asInt(2)));
        }
        return new ConvArchitecture(c, shape.get(shape.size() - 2).asInt(), shape.get(shape.size() - 1).asInt(), blocks);
    }

    /**
     * The output shape of each block (index 0: the image). A dimension below 1 means the block shrinks the image away
     * ({@link #firstEmptyBlock}); the shapes after it are meaningless.
     */
    public List<Shape> shapes() {
        List<Shape> out = new ArrayList<>();
        int h = height, w = width;
        out.add(new Shape(channels, h, w));
        for (Block b : blocks) {
            h = Math.floorDiv(h + 2 * b.padding() - b.kernel(), b.stride()) + 1;
            w = Math.floorDiv(w + 2 * b.padding() - b.kernel(), b.stride()) + 1;
            if (b.pool() != Pooling.NONE) {
                h = Math.floorDiv(h, b.poolSize());
                w = Math.floorDiv(w, b.poolSize());
            }
            out.add(new Shape(b.channels(), h, w));
        }
        return List.copyOf(out);
    }

    /** The index of the first block whose output has no pixel left, or -1 when every block keeps some. */
    public int firstEmptyBlock() {
        List<Shape> shapes = shapes();
        for (int i = 1; i < shapes.size(); i++) {
            if (shapes.get(i).height() < 1 || shapes.get(i).width() < 1) {
                return i - 1;
            }
        }
        return -1;
    }

    /** Width of the flattened last block: what the dense head reads. */
    public long flattenedSize() {
        return shapes().get(blocks.size()).size();
    }

    /** Weights, biases and batch norm's four vectors of the conv blocks. */
    public long parameters() {
        long total = 0;
        List<Shape> shapes = shapes();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            total += (long) b.channels() * shapes.get(i).channels() * b.kernel() * b.kernel() + b.channels();
            total += b.batchNorm() ? 4L * b.channels() : 0;
        }
        return total;
    }

    /** Multiply-adds of the conv blocks for one image: what a forward pass costs, before the dense head. */
    public long multiplyAdds() {
        long total = 0;
        List<Shape> shapes = shapes();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            long beforePool = convOutputPixels(shapes.get(i), b);
            total += beforePool * b.channels() * shapes.get(i).channels() * b.kernel() * b.kernel();
        }
        return total;
    }

    private static long convOutputPixels(Shape in, Block b) {
        long h = Math.floorDiv(in.height() + 2 * b.padding() - b.kernel(), b.stride()) + 1;
        long w = Math.floorDiv(in.width() + 2 * b.padding() - b.kernel(), b.stride()) + 1;
        return Math.max(0, h) * Math.max(0, w);
    }
}
