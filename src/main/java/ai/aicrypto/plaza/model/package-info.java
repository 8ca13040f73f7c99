/**
 * Models: model cards following the versioned spec in {@code model-card/model-card-v1.schema.json}
 * (validated by {@code model.card}), optional safetensors weights stored encrypted, and their pages.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Models")
package ai.aicrypto.plaza.model;
