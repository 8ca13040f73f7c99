package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.Log;
import ai.aicrypto.plaza.worker.cpu.ConvGradients;
import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.engine.TrainingEngine;
import ai.aicrypto.plaza.worker.engine.trees.XgboostGpu;
import ai.aicrypto.plaza.worker.gpu.JCudaEngine;
import ai.djl.ndarray.NDManager;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The model families this worker can train, each with the engine that trains it, as its heartbeat reports them: the
 * plaza leases it only jobs of these families. A family is a model card's architecture template. What the host can
 * train is found by really loading each engine here, once at start-up: a small sum through DJL's PyTorch engine
 * (fasttext, and the dense networks and cnns of a CPU slot), one boosting round of XGBoost on two rows (gbdt); a GPU slot's
 * JCuda engine was already started on its device, and the plain-Java reference engine needs no native library. A
 * family whose engine does not load is left out with the reason, as is one the provider left out ({@code --families}).
 *
 * @param families family to engine id ({@code gpu}, {@code cpu}, {@code reference}, {@code xgboost-cpu}, {@code xgboost-gpu})
 * @param missing  family to the reason it is not trained here
 */
public record TrainableFamilies(Map<String, String> families, Map<String, String> missing) {

    public static final String SOFTMAX = "softmax-regression";
    public static final String MLP = "mlp";
    public static final String CNN = "cnn";
    public static final String TEXT = "fasttext";
    public static final String TREES = "gbdt";
    public static final List<String> ALL = List.of(SOFTMAX, MLP, CNN, TEXT, TREES);
    /** The engine id of tree models trained by XGBoost on the CPU. */
    public static final String XGBOOST_CPU = "xgboost-cpu";
    /** The engine id of tree models trained by XGBoost on a GPU slot's device (a CUDA build of XGBoost). */
    public static final String XGBOOST_GPU = "xgboost-gpu";
    private static final AtomicBoolean treesOnCpuLogged = new AtomicBoolean();

    public TrainableFamilies {
        families = Collections.unmodifiableMap(new TreeMap<>(families));
        missing = Collections.unmodifiableMap(new TreeMap<>(missing));
    }

    /**
     * @param slotEngine the engine of the worker's slots, which trains its dense networks and, with conv kernels (the GPU
     *                   and reference engines, and DJL's), its cnns; fasttext trains with DJL's CPU engine on every slot,
     *                   trees with XGBoost
     * @param only       the families the provider allows (null: every one the host can train)
     */
    public static TrainableFamilies probe(TrainingEngine slotEngine, Set<String> only) {
        String djl = failure(TrainableFamilies::loadDjl);
        String xgboost = failure(TrainableFamilies::loadXgboost);
        // A CPU slot's dense networks run on DJL too; the GPU and reference engines were loaded with the slot.
        String dense = slotEngine.id().equals("cpu") ? djl : null;
        Map<String, String> families = new HashMap<>();
        Map<String, String> missing = new HashMap<>();
        sort(SOFTMAX, slotEngine.id(), dense, only, families, missing);
        sort(MLP, slotEngine.id(), dense, only, families, missing);
        boolean convOnSlot = slotEngine.hasConvKernels();
        boolean convOnDjl = !convOnSlot || slotEngine.id().equals("cpu");
        sort(CNN, convOnSlot ? slotEngine.id() : "cpu", convOnDjl ? djlConvolutions(djl) : null, only, families, missing);
        sort(TEXT, "cpu", djl, only, families, missing);
        sort(TREES, treeDevice(slotEngine).equals("cpu") ? XGBOOST_CPU : XGBOOST_GPU, xgboost, only, families, missing);
        return new TrainableFamilies(families, missing);
    }

    /**
     * Where a slot trains trees: {@code cuda:N} on a GPU slot when this XGBoost build trains on CUDA (asked once, see
     * {@link XgboostGpu}), else {@code cpu}; the first time a GPU slot falls back, the log says why.
     */
    public static String treeDevice(TrainingEngine slot) {
        if (!(slot instanceof JCudaEngine gpu)) return "cpu";
        String unsupported = XgboostGpu.unsupportedReason();
        if (unsupported == null) return "cuda:" + gpu.device().ordinal();
        if (treesOnCpuLogged.compareAndSet(false, true)) Log.info("trees train on the CPU, not the GPU: " + unsupported);
        return "cpu";
    }

    /** The families {@code --families} names: each one known, at least one. */
    public static Set<String> parse(String list) {
        Set<String> families = new LinkedHashSet<>();
        for (String part : list.split(",")) {
            String family = part.strip();
            if (!ALL.contains(family)) {
                throw new IllegalArgumentException("--families takes model families separated by commas, of "
                        + String.join(", ", ALL) + " (got '" + list + "')");
            }
            families.add(family);
        }
        return Set.copyOf(families);
    }

    public boolean trains(String family) {
        return families.containsKey(family);
    }

    /** One line for the log: what trains with what, and why the rest does not. */
    public String describe() {
        StringBuilder line = new StringBuilder("trains ");
        line.append(families.isEmpty() ? "no model family" : families.entrySet().stream()
                .map(f -> f.getKey() + " (" + f.getValue() + ")").collect(Collectors.joining(", ")));
        missing.forEach((family, reason) -> line.append("; not ").append(family).append(": ").append(reason));
        return line.toString();
    }

    private static void sort(String family, String engine, String failure, Set<String> only, Map<String, String> families,
                             Map<String, String> missing) {
        if (only != null && !only.contains(family)) {
            missing.put(family, "left out by --families");
        } else if (failure != null) {
            missing.put(family, failure);
        } else {
            families.put(family, engine);
        }
    }

    /**
     * Why DJL's PyTorch engine does not train cnns here, or null: it does not load, or it computes wrong convolution
     * gradients even with oneDNN capped (the worker caps it itself where they are wrong, see {@link ConvGradients}).
     */
    private static String djlConvolutions(String djlFailure) {
        if (djlFailure != null) return djlFailure;
        String fault = ConvGradients.fault();
        return fault == null ? null : "PyTorch computes wrong convolution gradients on this CPU (" + fault + ")";
    }

    /** Null when the engine loads and computes, else why not (a missing native library is an Error, not an Exception). */
    private static String failure(Runnable load) {
        try {
            load.run();
            return null;
        } catch (Throwable e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static void loadDjl() {
        try (NDManager manager = DjlCpuEngine.pytorch().newBaseManager()) {
            float sum = manager.create(new float[] {1, 2}).sum().getFloat();
            if (sum != 3) throw new IllegalStateException("DJL's PyTorch engine computed 1 + 2 = " + sum);
        }
    }

    private static void loadXgboost() {
        try {
            DMatrix rows = new DMatrix(new float[] {0, 1}, 2, 1, Float.NaN);
            try {
                rows.setLabel(new float[] {0, 1});
                Booster booster = XGBoost.train(rows, Map.of("nthread", 1, "max_depth", 1), 1, new HashMap<>(), null, null);
                booster.dispose();
            } finally {
                rows.dispose();
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost: " + e.getMessage(), e);
        }
    }
}
