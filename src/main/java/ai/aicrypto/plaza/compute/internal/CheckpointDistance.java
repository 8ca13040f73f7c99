package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.model.card.InvalidModelCardException;
import ai.aicrypto.plaza.model.card.SafetensorsSummary;

/**
 * How far an audit's checkpoint after epoch k lies from the original's, measured on the network's parameters
 * ({@code layers.*}; a cnn's {@code conv.*} and {@code bn.*} too, batch norm's running statistics included) as a share of how far the original's parameters moved during that epoch:
 * ||audit_k - original_k|| / ||original_k - original_(k-1)||. Scale-free: 0 when the two runs agree exactly,
 * about 1 when the audit did not move or moved elsewhere. Engines that round differently land far below the
 * tolerance (the gpu-worker's CheckpointTest measures it); a fabricated epoch lands near or above 1.
 */
final class CheckpointDistance {

    private CheckpointDistance() {
    }

    /** A distance, or why the audit's file cannot be compared (then the audit disagrees). */
    record Result(double distance, String unfit) {

        boolean agrees(double tolerance) {
            return unfit == null && distance <= tolerance;
        }

        String describe() {
            return unfit != null ? unfit : String.format(java.util.Locale.ROOT, "%.4f of the epoch's step", distance);
        }
    }

    /**
     * How far the audit's checkpoint after the epoch lies from {@code reference} (the original's, or another
     * audit's), as a share of how far {@code reference} moved from {@code start}. An audit whose parameters did not
     * move from the start did not train: it is unfit, whatever it is compared with.
     */
    static Result between(Path audit, Path start, Path reference, int epoch) throws IOException {
        try {
            EpochCheckpoints.checkFormat(audit, epoch);
        } catch (EpochCheckpoints.CheckpointRefusedException | InvalidModelCardException e) {
            return new Result(Double.POSITIVE_INFINITY, "the audit's result is not a checkpoint of epoch " + epoch);
        }
        try (F32Tensors a = F32Tensors.open(audit); F32Tensors before = F32Tensors.open(start);
             F32Tensors after = F32Tensors.open(reference)) {
            double gap = 0, step = 0, moved = 0;
            for (Map.Entry<String, SafetensorsSummary.TensorInfo> tensor : after.summary().tensors().entrySet()) {
                if (!isParameter(tensor.getKey())) {
                    continue; // the optimizer's moments follow from the parameters' path
                }
                float[] o = after.read(tensor.getKey(), tensor.getValue().shape());
                float[] p = before.read(tensor.getKey(), tensor.getValue().shape());
                float[] x = a.read(tensor.getKey(), tensor.getValue().shape());
                for (int i = 0; i < o.length; i++) {
                    double d = (double) x[i] - o[i];
                    double s = (double) o[i] - p[i];
                    double m = (double) x[i] - p[i];
                    gap += d * d;
                    step += s * s;
                    moved += m * m;
                }
            }
            if (moved == 0) {
                return new Result(Double.POSITIVE_INFINITY, "the audit's parameters did not move from the start checkpoint");
            }
            double distance = Math.sqrt(gap) / Math.max(Math.sqrt(step), 1e-12);
            return new Result(Double.isNaN(distance) ? Double.POSITIVE_INFINITY : distance, null);
        } catch (F32Tensors.UnfitTensorsException e) {
            return new Result(Double.POSITIVE_INFINITY, "the audit's checkpoint does not fit the original's: " + e.getMessage());
        }
    }

    /**
     * Why a checkpoint does not hold the network of the weights (other parameter names or shapes; with
     * {@code exactly}, other values), or null when it does.
     */
    static String mismatch(Path weights, Path checkpoint, boolean exactly) throws IOException {
        try (F32Tensors w = F32Tensors.open(weights); F32Tensors c = F32Tensors.open(checkpoint)) {
            var parameters = c.summary().tensors().entrySet().stream().filter(t -> isParameter(t.getKey())).toList();
            if (parameters.size() != w.summary().tensors().size()) {
                return "it holds " + parameters.size() + " parameter tensors, the weights " + w.summary().tensors().size();
            }
            for (var tensor : parameters) {
                float[] values = w.read(tensor.getKey(), tensor.getValue().shape());
                if (exactly && !java.util.Arrays.equals(values, c.read(tensor.getKey(), tensor.getValue().shape()))) {
                    return "its " + tensor.getKey() + " differs from the weights'";
                }
            }
            return null;
        } catch (F32Tensors.UnfitTensorsException | InvalidModelCardException e) {
            return e.getMessage();
        }
    }

    /** A network's tensor (what the weights file holds), not one of the optimizer's moments. */
    private static boolean isParameter(String tensor) {
        return !tensor.startsWith("optimizer.");
    }
}
