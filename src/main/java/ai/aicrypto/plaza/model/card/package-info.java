/**
 * Model card spec v1 ({@code model-card/model-card-v1.schema.json}) and its validation: {@link
 * ai.aicrypto.plaza.model.card.ModelCardValidator} for cards, {@link ai.aicrypto.plaza.model.card.SafetensorsInspector}
 * for uploaded weights. Errors carry i18n keys from {@code i18n/model-card*.properties}. No Spring dependency; the app
 * wraps the validator as a bean. Exposed as a named interface so other modules (training worker, Easy AI Builder)
 * may use the card types.
 */
@org.springframework.modulith.NamedInterface("card")
package ai.aicrypto.plaza.model.card;
