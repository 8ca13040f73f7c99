package ai.aicrypto.plaza.compute.internal;

import java.util.List;
import java.util.Map;

/**
 * Bounds on what a worker reports about itself and its jobs (security review L11). A worker is a stranger's
 * machine: everything it sends is stored, and heartbeats, progress and failures also reach live pages, so each
 * field is checked for size and range before anything is written. Numbers a page shows must be finite.
 */
final class WorkerReports {

    static final int MAX_ENGINE_LENGTH = 64;
    static final int MAX_BENCHMARK_LENGTH = 8_192;
    /** Far more than a worker's disk holds (a dataset's shards are megabytes at least). */
    static final int MAX_CACHED_DATASETS = 10_000;
    static final int MAX_GPU_MEMORY_MB = 16 << 20; // 16 TiB
    static final int MAX_REASON_LENGTH = 2_000;
    /** More than there are families: a newer worker may name some this plaza does not know (they are dropped). */
    static final int MAX_FAMILIES = 32;
    static final int MAX_METRICS = 32;
    static final int MAX_METRIC_NAME_LENGTH = 64;
    static final int MAX_METRIC_TEXT_LENGTH = 256;

    private WorkerReports() {
    }

    /** A report the plaza does not store: 400 with the reason. */
    static final class RefusedException extends RuntimeException {
        RefusedException(String message) {
            super(message);
        }
    }

    static void check(WorkerApiController.Heartbeat beat) {
        if (beat.engine() != null && beat.engine().length() > MAX_ENGINE_LENGTH) {
            throw new RefusedException("engine: at most " + MAX_ENGINE_LENGTH + " characters");
        }
        if (beat.gpuMemoryMb() < 0 || beat.gpuMemoryMb() > MAX_GPU_MEMORY_MB) {
            throw new RefusedException("gpuMemoryMb: 0 to " + MAX_GPU_MEMORY_MB);
        }
        List<Long> cached = beat.cachedDatasets();
        if (cached != null && (cached.size() > MAX_CACHED_DATASETS || cached.stream().anyMatch(id -> id == null || id < 1))) {
            throw new RefusedException("cachedDatasets: at most " + MAX_CACHED_DATASETS + " dataset ids, each at least 1");
        }
        if (beat.benchmark() != null && beat.benchmark().length() > MAX_BENCHMARK_LENGTH) {
            throw new RefusedException("benchmark: at most " + MAX_BENCHMARK_LENGTH + " characters");
        }
        nonNegativeFinite("measuredScore", beat.measuredScore());
        nonNegativeFinite("benchmarkScore", beat.benchmarkScore());
        Map<String, String> families = beat.families();
        if (families != null && (families.size() > MAX_FAMILIES || families.entrySet().stream().anyMatch(f ->
                f.getKey().length() > MAX_ENGINE_LENGTH || f.getValue() == null || f.getValue().isBlank()
                        || f.getValue().length() > MAX_ENGINE_LENGTH))) {
            throw new RefusedException("families: at most " + MAX_FAMILIES + " families, each naming its engine in 1 to "
                    + MAX_ENGINE_LENGTH + " characters");
        }
    }

    static void check(WorkerApiController.Progress progress) {
        if (progress.epoch() < 0 || progress.epoch() > EpochCheckpoints.MAX_EPOCHS) {
            throw new RefusedException("epoch: 0 to " + EpochCheckpoints.MAX_EPOCHS);
        }
        nonNegativeFinite("loss", progress.loss());
        nonNegativeFinite("samplesPerSecond", progress.samplesPerSecond());
        if (progress.accuracy() != null && !(progress.accuracy() >= 0 && progress.accuracy() <= 1)) {
            throw new RefusedException("accuracy: 0 to 1");
        }
    }

    /** The claimed metrics: a flat object of at most {@link #MAX_METRICS} numbers, booleans or short texts. */
    static void checkMetrics(Map<String, Object> claimed) {
        if (claimed.size() > MAX_METRICS) {
            throw new RefusedException("metrics: at most " + MAX_METRICS + " of them");
        }
        for (Map.Entry<String, Object> metric : claimed.entrySet()) {
            if (metric.getKey().length() > MAX_METRIC_NAME_LENGTH) {
                throw new RefusedException("metric names: at most " + MAX_METRIC_NAME_LENGTH + " characters");
            }
            Object value = metric.getValue();
            boolean fits = value == null || value instanceof Number || value instanceof Boolean
                    || value instanceof String text && text.length() <= MAX_METRIC_TEXT_LENGTH;
            if (!fits) {
                throw new RefusedException("metric " + metric.getKey() + ": a number, a boolean or at most "
                        + MAX_METRIC_TEXT_LENGTH + " characters of text");
            }
        }
    }

    /** The reason a worker gives for a failed job, as the requester will read it: cut to a page's worth. */
    static String reason(WorkerApiController.Failure failure) {
        String reason = failure.reason();
        if (reason == null || reason.isBlank()) {
            return "no reason given";
        }
        return reason.length() <= MAX_REASON_LENGTH ? reason : reason.substring(0, MAX_REASON_LENGTH - 1) + "…";
    }

    private static void nonNegativeFinite(String field, Double value) {
        if (value != null && !(value >= 0 && Double.isFinite(value))) {
            throw new RefusedException(field + ": a finite number, at least 0");
        }
    }
}
