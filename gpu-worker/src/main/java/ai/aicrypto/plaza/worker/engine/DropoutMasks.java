package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.Seeds;

import java.util.SplittableRandom;

/**
 * Inverted-dropout masks drawn from a seeded generator (one stream per epoch, consumed layer by layer and batch
 * by batch), so that the CPU, GPU and reference engines drop the same units: each entry is 0 with probability
 * p and 1 / (1 - p) otherwise. Dropout is applied only while training.
 */
public final class DropoutMasks {

    private final float p;
    private final float keepScale;
    private SplittableRandom rng;

    public DropoutMasks(double p) {
        this.p = (float) p;
        this.keepScale = (float) (1.0 / (1.0 - p));
    }

    public boolean active() {
        return p > 0;
    }

    public void startEpoch(long seed, int epoch) {
        rng = Seeds.rng(seed, Seeds.STREAM_DROPOUT, epoch);
    }

    public void fill(float[] mask, int n) {
        for (int i = 0; i < n; i++) mask[i] = rng.nextFloat() < p ? 0f : keepScale;
    }
}
