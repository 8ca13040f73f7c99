package ai.aicrypto.plaza.serving;

import java.util.Optional;

/**
 * The models a call forwarded by another instance may name (implemented by the model module, which stores them): the
 * instance that took the call checked who may call it and what it costs; this one only gives its workers the weights.
 */
public interface ServableModels {

    /** The model {@code modelId} as a worker loads it, if its weights are stored under {@code key} (else it changed). */
    Optional<InferenceGateway.ModelToServe> servable(long modelId, String key);
}
