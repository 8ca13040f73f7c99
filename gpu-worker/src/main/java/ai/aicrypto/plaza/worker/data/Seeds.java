package ai.aicrypto.plaza.worker.data;

import java.util.SplittableRandom;

/** Independent, reproducible random streams derived from the card's seed. */
public final class Seeds {

    public static final int STREAM_INIT = 1;
    public static final int STREAM_SHUFFLE = 2;
    public static final int STREAM_DROPOUT = 3;
    /** A cnn's image augmentation: crops and flips, one stream per epoch. */
    public static final int STREAM_AUGMENT = 4;

    private Seeds() {
    }

    public static SplittableRandom rng(long seed, int stream, long index) {
        return new SplittableRandom(mix(mix(seed * 0x9E3779B97F4A7C15L + stream) + index));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
