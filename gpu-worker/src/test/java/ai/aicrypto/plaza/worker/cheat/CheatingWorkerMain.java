package ai.aicrypto.plaza.worker.cheat;

import ai.aicrypto.plaza.worker.Log;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.plaza.WorkerLoop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A worker process that cheats (test code, for the verification benchmark): the real {@link WorkerLoop} with the CPU
 * engine wrapped in a {@link CheatingEngine}, the start-up benchmark on like a real worker's.
 * <pre>
 *   java -cp target/gpu-worker.jar:target/test-classes ai.aicrypto.plaza.worker.cheat.CheatingWorkerMain \
 *        --plaza URL --token T --cache DIR --cheat honest|random|lazy|lazy-first|sleeper|inflated|echo-auditor [--sleep-factor F] [--poll-seconds N]
 * </pre>
 */
public final class CheatingWorkerMain {

    static final String USAGE = "usage: CheatingWorkerMain --plaza URL --token T --cache DIR "
            + "--cheat honest|random|lazy|lazy-first|sleeper|inflated|echo-auditor [--sleep-factor F (sleeper, default 20)] "
            + "[--poll-seconds N (default 5)]";

    private CheatingWorkerMain() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    static void run(String[] args) throws Exception {
        String plaza = null, token = null, cache = null, cheat = null;
        double sleepFactor = 20;
        int pollSeconds = 5;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) throw new IllegalArgumentException(args[i] + " needs a value");
            switch (args[i++]) {
                case "--plaza" -> plaza = value;
                case "--token" -> token = value;
                case "--cache" -> cache = value;
                case "--cheat" -> cheat = value;
                case "--sleep-factor" -> sleepFactor = Double.parseDouble(value);
                case "--poll-seconds" -> pollSeconds = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown argument " + args[i - 1]);
            }
        }
        if (plaza == null || token == null || cache == null || cheat == null) throw new IllegalArgumentException("missing arguments");
        CheatingEngine engine = new CheatingEngine(new DjlCpuEngine(), CheatingEngine.Kind.parse(cheat), sleepFactor);
        Log.info("cheating worker: " + engine.description());
        int memoryMb = (int) (Runtime.getRuntime().maxMemory() >> 20); // as the real worker reports the CPU engine
        new WorkerLoop(new WorkerLoop.Options(plaza, token, List.of(engine), memoryMb, null, Path.of(cache),
                Duration.ofSeconds(pollSeconds), Duration.ofSeconds(2L * pollSeconds), true, null)).run();
    }
}
