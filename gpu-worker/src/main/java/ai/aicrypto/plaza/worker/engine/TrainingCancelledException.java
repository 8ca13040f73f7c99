package ai.aicrypto.plaza.worker.engine;

public class TrainingCancelledException extends RuntimeException {
    public TrainingCancelledException(int epoch) {
        super("training cancelled in epoch " + epoch);
    }
}
