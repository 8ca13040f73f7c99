package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.Seeds;
import ai.aicrypto.plaza.worker.model.ConvSpec;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.util.SplittableRandom;

/**
 * A cnn card's training-time augmentation (random crops of the zero-padded image, left-right flips), drawn per image
 * from a seeded stream of its own (one per epoch), so that every engine sees the same images and an epoch trained
 * again from its checkpoint sees them too.
 */
public final class ImageAugmentation {

    private final ConvSpec conv;
    private final float[] scratch;
    private SplittableRandom rng;

    private ImageAugmentation(ConvSpec conv) {
        this.conv = conv;
        this.scratch = new float[conv.inputSize()];
    }

    /** The card's augmentation, or null when it asks for none. */
    public static ImageAugmentation of(ModelSpec spec) {
        return spec.isConvolutional() && spec.conv().augmentation().active() ? new ImageAugmentation(spec.conv()) : null;
    }

    public void startEpoch(long seed, int epoch) {
        rng = Seeds.rng(seed, Seeds.STREAM_AUGMENT, epoch);
    }

    /** Augments the first {@code n} images of {@code x} ([rows, channels x height x width]) in place. */
    public void apply(float[] x, int n) {
        for (int i = 0; i < n; i++) augment(x, i * scratch.length);
    }

    /**
     * Replaces the image at {@code x[offset...]} with a random crop of it padded by zeros ({@code cropPadding} on each
     * side: a shift of up to that many pixels), then flipped left-right with probability 1/2 when asked.
     */
    private void augment(float[] x, int offset) {
        int pad = conv.augmentation().cropPadding(), h = conv.height(), w = conv.width();
        int dy = pad > 0 ? rng.nextInt(2 * pad + 1) - pad : 0;
        int dx = pad > 0 ? rng.nextInt(2 * pad + 1) - pad : 0;
        boolean flip = conv.augmentation().horizontalFlip() && rng.nextBoolean();
        System.arraycopy(x, offset, scratch, 0, scratch.length);
        for (int c = 0; c < conv.channels(); c++) {
            int plane = c * h * w;
            for (int row = 0; row < h; row++) {
                int sy = row + dy;
                for (int col = 0; col < w; col++) {
                    int sx = (flip ? w - 1 - col : col) + dx;
                    x[offset + plane + row * w + col] = sy >= 0 && sy < h && sx >= 0 && sx < w ? scratch[plane + sy * w + sx] : 0f;
                }
            }
        }
    }
}
