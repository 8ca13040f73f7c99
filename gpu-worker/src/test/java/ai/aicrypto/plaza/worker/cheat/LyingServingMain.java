package ai.aicrypto.plaza.worker.cheat;

import java.time.Duration;

import ai.aicrypto.plaza.worker.engine.dense.JavaBackend;
import ai.aicrypto.plaza.worker.plaza.PlazaClient;
import ai.aicrypto.plaza.worker.serving.ForwardPass;
import ai.aicrypto.plaza.worker.serving.ForwardPasses;
import ai.aicrypto.plaza.worker.serving.ServingLoop;

/**
 * A serving worker that lies (test code, for the plaza's shadow verification): the real {@link ServingLoop} and
 * forward passes, every output shifted by one.
 * <pre>
 *   java -cp target/gpu-worker.jar:target/test-classes ai.aicrypto.plaza.worker.cheat.LyingServingMain --plaza URL --token T
 * </pre>
 */
public final class LyingServingMain {

    private LyingServingMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !args[0].equals("--plaza") || !args[2].equals("--token")) {
            System.err.println("usage: LyingServingMain --plaza URL --token T");
            System.exit(2);
        }
        ForwardPasses honest = new ForwardPasses(JavaBackend::new, 64);
        ServingLoop.Loader lying = (card, weights, width) -> {
            ForwardPass real = honest.load(card, weights, width);
            return new ForwardPass() {
                @Override
                public float[] predict(float[] x, int rows) {
                    float[] y = real.predict(x, rows);
                    for (int i = 0; i < y.length; i++) {
                        y[i] += 1;
                    }
                    return y;
                }

                @Override
                public int outputWidth() {
                    return real.outputWidth();
                }

                @Override
                public long bytes() {
                    return real.bytes();
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        };
        new ServingLoop(new PlazaClient(args[1], args[3]), lying, new ServingLoop.Options(1, 64, Duration.ofMillis(2), 64L << 20)).start();
        Thread.currentThread().join();
    }
}
