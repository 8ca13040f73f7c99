package ai.aicrypto.plaza.serving.internal;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.LittleEndianFloats;
import ai.aicrypto.plaza.serving.ServableModels;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A call another instance forwarded ({@link ServingPeers#forward}), signed with the secret the instances share (checked
 * by {@link InstanceApiSecurity} before this runs): run on the workers polling this instance, and their answer given
 * back; nothing is recorded or charged here (the forwarding instance does that with the answer). Its status says what
 * happened: 200 the answer, 429 every worker's queue is full, 503 none answered, 404 the model has other weights now.
 */
@RestController
class ForwardedCallsController {

    private final ServingGateway gateway;
    private final ServableModels servable;

    ForwardedCallsController(ServingGateway gateway, ServableModels servable) {
        this.gateway = gateway;
        this.servable = servable;
    }

    @PostMapping(ServingPeers.RUN_PATH)
    ResponseEntity<?> run(@RequestParam long model, @RequestParam String key, @RequestParam int rows, @RequestParam int width,
                          @RequestParam BigDecimal maxPrice, @RequestParam(required = false) Long notProvider,
                          @RequestBody byte[] body) {
        if (rows < 1 || width < 1 || (long) rows * width * Float.BYTES != body.length) {
            return ResponseEntity.badRequest().body(Map.of("error", "the body is not rows x width float32 values"));
        }
        Optional<InferenceGateway.ModelToServe> toServe = gateway.routed(key).filter(m -> m.modelId() == model)
                .or(() -> servable.servable(model, key));
        if (toServe.isEmpty() || toServe.get().inputWidth() != width) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no model " + model + " with these weights"));
        }
        float[] values = LittleEndianFloats.floats(body);
        try {
            Optional<InferenceGateway.Served> served = notProvider == null
                    ? gateway.runHere(toServe.get(), values, rows, maxPrice)
                    : gateway.shadowHere(toServe.get(), values, rows, notProvider);
            return served.<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> ResponseEntity
                    .status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("error", "no serving worker of this instance answered")));
        } catch (InferenceGateway.Saturated e) {
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).body(Map.of("error", "every worker's queue is full"));
        }
    }
}
