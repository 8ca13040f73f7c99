package ai.aicrypto.plaza.worker.engine;

import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The result of training: weights ({@code layers.i.weight} [out, in], {@code layers.i.bias} [out]) and metrics. */
public record TrainedModel(ModelSpec spec, int inputSize, Map<String, FloatTensor> weights, List<EpochMetrics> history,
                           String engine) {

    public TrainedModel {
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        history = List.copyOf(history);
    }

    public EpochMetrics finalMetrics() {
        return history.get(history.size() - 1);
    }

    /** Writes the weights as safetensors with metadata describing the network. */
    public void export(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "aiplaza-weights-v1");
        meta.put("template", spec.template());
        meta.put("task", spec.task().jsonName());
        meta.put("input_size", Integer.toString(inputSize));
        meta.put("hidden_sizes", spec.hiddenSizes().toString());
        if (spec.activation() != null) meta.put("activation", spec.activation().jsonName());
        meta.put("output_size", Integer.toString(spec.outputSize()));
        meta.put("engine", engine);
        meta.put("epochs", Integer.toString(history.size()));
        meta.put("final_loss", Double.toString(finalMetrics().loss()));
        Safetensors.writeF32(file, weights, meta);
    }
}
