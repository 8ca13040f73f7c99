package ai.aicrypto.plaza.worker.engine.trees;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.java.XGBoostJNI;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether this process's XGBoost library trains on a CUDA device. Maven Central's xgboost4j is built without CUDA, and
 * asking that build for a device aborts the whole JVM (a fatal native error, not an exception), so the question is
 * asked once in a child JVM on the same class path, and only on a host with a GPU. A provider who puts a CUDA build of
 * xgboost4j on the worker's class path gets its tree jobs trained on the slot's GPU ({@code device=cuda:N}).
 */
public final class XgboostGpu {

    /** The child's answer, at most this long in coming (it loads the native library and trains one round). */
    private static final long PROBE_SECONDS = 60;
    /** dmlc's fatal message: {@code what():  [17:01:18] /workspace/src/common/common.h:187: XGBoost version not ...}. */
    private static final Pattern FATAL = Pattern.compile("what\\(\\):\\s+\\[[^]]*]\\s+\\S+:\\d+:\\s+(.+)");

    private static String unsupportedReason; // "" once found supported; guarded by the class

    private XgboostGpu() {
    }

    /** Null when XGBoost trains on CUDA device 0 here, else why not; probed on the first call. */
    public static synchronized String unsupportedReason() {
        if (unsupportedReason == null) unsupportedReason = probe();
        return unsupportedReason.isEmpty() ? null : unsupportedReason;
    }

    /** Runs {@link #main} in a child JVM: "" when it trained on the GPU, else the reason it gave or how it ended. */
    static String probe() {
        Process child;
        try {
            child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), XgboostGpu.class.getName())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return "the XGBoost GPU probe did not start: " + e.getMessage();
        }
        try {
            child.getOutputStream().close();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // ends when it exits
            if (!child.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                return "the XGBoost GPU probe took over " + PROBE_SECONDS + " s";
            }
            return child.exitValue() == 0 ? "" : reason(output, child.exitValue());
        } catch (IOException e) {
            child.destroyForcibly();
            return "the XGBoost GPU probe failed: " + e.getMessage();
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
            return "the XGBoost GPU probe was interrupted";
        }
    }

    /** XGBoost's own message where it printed one (a fatal error's, or the last line), else the exit status. */
    static String reason(String output, int exitStatus) {
        Matcher fatal = FATAL.matcher(output);
        if (fatal.find()) return "XGBoost: " + fatal.group(1).strip();
        String[] lines = output.strip().split("\n");
        String last = lines[lines.length - 1].strip();
        return last.isEmpty() ? "the XGBoost GPU probe ended with status " + exitStatus : "XGBoost: " + last;
    }

    /** The child: selects CUDA device 0 and trains one round of two rows on it; exits 0 only when both worked. */
    public static void main(String[] args) throws XGBoostError {
        DMatrix rows = new DMatrix(new float[] {0, 1}, 2, 1, Float.NaN); // loads the native library first
        rows.setLabel(new float[] {0, 1});
        if (XGBoostJNI.CudaSetDevice(0) != 0) { // a CUDA build without a usable device returns an error
            System.out.println(XGBoostJNI.XGBGetLastError());
            System.exit(3);
        }
        Map<String, Object> parameters = Map.of("device", "cuda:0", "tree_method", "hist", "max_depth", 1, "verbosity", 1);
        Booster booster = XGBoost.train(rows, parameters, 1, new HashMap<>(), null, null);
        booster.dispose();
        rows.dispose();
        System.exit(0);
    }
}
