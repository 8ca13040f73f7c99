/**
 * Running a model: its weights read as F32 tensors and the forward pass of the card's network, shared by the
 * verification of training results and by predictions.
 */
@org.springframework.modulith.NamedInterface("inference")
package ai.aicrypto.plaza.model.inference;
