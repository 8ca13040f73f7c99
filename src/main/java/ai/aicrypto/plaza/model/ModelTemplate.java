package ai.aicrypto.plaza.model;

import ai.aicrypto.plaza.model.card.ModelCard;

/** A model listing's card as a training template: architecture and hyperparameters with their ranges. */
public record ModelTemplate(long id, String title, long ownerId, ModelCard card) {
}
