package ai.aicrypto.plaza.worker.engine;

/**
 * One epoch of training: mean training loss and training accuracy over the epoch's mini-batches (computed
 * before each batch's update, with dropout active; accuracy is NaN for regression), and throughput.
 */
public record EpochMetrics(int epoch, double loss, double accuracy, long samples, double seconds) {

    public double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : Double.NaN;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "epoch %d: loss %.5f, accuracy %.4f, %d samples, %.1f samples/s",
                epoch, loss, accuracy, samples, samplesPerSecond());
    }
}
