package ai.aicrypto.plaza.model;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A member's own models run on many table records or images at once, away from any request: what a competition's code
 * submission and a commission's model do with the hidden test inputs. Each batch is served by the GPU fleet as the owner's own
 * call of the model is: the model's price is never charged (it is the owner's), the serving provider's GPU-seconds
 * are, to the owner's prepaid credit, and the batch is recorded among the model's calls. Without credit for the fleet,
 * or without a serving worker, the plaza runs it on its own CPU, unless it is configured never to (then the run fails
 * with the credit's or the fleet's refusal).
 */
public interface ModelRuns {

    /** What a model reads: table records (by column) or images. */
    enum Input { TABLE, IMAGES }

    /** The member's models that read {@code input} and can run (weights held, not withheld), newest first. */
    List<RunnableModel> runnableBy(long ownerId, Input input);

    /** The member's models that can run on table records, newest first. */
    default List<RunnableModel> runnableBy(long ownerId) {
        return runnableBy(ownerId, Input.TABLE);
    }

    /** One of the member's models, when it reads {@code input} and can run; however many models the member has. */
    Optional<RunnableModel> runnable(long modelId, long ownerId, Input input);

    /** One of the member's models, when it can run on table records. */
    default Optional<RunnableModel> runnable(long modelId, long ownerId) {
        return runnable(modelId, ownerId, Input.TABLE);
    }

    /**
     * Checks before a run counts that the owner can pay for it: where the plaza never runs models in-process, their
     * credit must cover the most a batch may cost on the serving fleet.
     *
     * @throws ai.aicrypto.plaza.platform.UserFacingException the credit's refusal (what it costs, what is available)
     */
    void requireCredit(long ownerId);

    /**
     * Opens the owner's model for a run; its weights stay loaded while batches are asked of it.
     *
     * @throws ai.aicrypto.plaza.platform.UserFacingException why it cannot run (no weights, withheld, no recorded input)
     * @throws ai.aicrypto.plaza.platform.NotFoundException   when it is not a model of this owner
     */
    Run open(long modelId, long ownerId);

    /**
     * A model that can run, taking table records or images.
     *
     * @param inputColumns the columns each record must have, in the order the card lists them; empty for images
     * @param classes      a classifier's classes in output order; empty for a regression model
     * @param image        what an image model resizes every picture to; null for a table model
     */
    record RunnableModel(long id, String title, List<String> inputColumns, List<String> classes, ImageInput image) {

        public boolean classifier() {
            return !classes.isEmpty();
        }

        public Input input() {
            return image == null ? Input.TABLE : Input.IMAGES;
        }
    }

    /**
     * An image model's input, from its recorded preprocessing: a picture of any size is resized to {@code width} x
     * {@code height} pixels in {@code channels} planes (1 grey, 3 red, green and blue).
     */
    record ImageInput(int height, int width, int channels) {
    }

    /**
     * One record's prediction.
     *
     * @param label         a classifier's most probable class, else null
     * @param value         a regression model's value, else null
     * @param probabilities a classifier's probability of each class (in {@link RunnableModel#classes} order; beyond the
     *                      five most probable, 0)
     */
    record Predicted(String label, Double value, List<Double> probabilities) {
    }

    interface Run {

        RunnableModel model();

        /**
         * The prediction for each record, in order.
         *
         * @throws ai.aicrypto.plaza.platform.UserFacingException naming the record and column that do not fit, or why
         *                                                        neither the fleet nor the plaza may run it
         */
        List<Predicted> predict(List<Map<String, String>> records);

        /**
         * The prediction for each picture, in order: an image model's, each picture encoded by its recorded
         * preprocessing (resized, grey or colour, scaled).
         *
         * @throws ai.aicrypto.plaza.platform.UserFacingException when the model reads table records, or why neither the
         *                                                        fleet nor the plaza may run it
         */
        List<Predicted> predictImages(List<BufferedImage> pictures);
    }
}
