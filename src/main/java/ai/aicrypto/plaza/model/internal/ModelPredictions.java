package ai.aicrypto.plaza.model.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.dataset.format.DatasetFormatException;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.ModelProperties;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.inference.DenseNetwork;
import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.springframework.context.support.DefaultMessageSourceResolvable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Predictions of a model with weights, asked through its page ("try it") or the API: raw records or images are
 * encoded as the model's card says ({@link ModelCard#inputPreprocessing()}), run through its network on the plaza's
 * CPU ({@link DenseNetwork}, the evaluator that verifies training) and answered with the top classes and their
 * probabilities, or the predicted value. Owners and licensees call without limit; other members get
 * {@link ModelProperties#freeCallsPerDay()} calls of a published model in any 24 hours. Every call is recorded.
 */
@Service
class ModelPredictions {

    static final int TOP_CLASSES = 5;

    enum Via { PAGE, API }

    /** @param top classification: up to {@value #TOP_CLASSES} classes, most probable first; else empty */
    record Outcome(String label, List<ClassScore> top, Double value) {
    }

    record ClassScore(String label, double probability) {

        /** The bar's length on the page. */
        public int widthPx() {
            return (int) Math.max(2, Math.round(probability * 240));
        }
    }

    /** @param latencyMs the time to encode the input, load the weights and run the network */
    record Prediction(List<Outcome> outcomes, double latencyMs) {
    }

    private final ModelService models;
    private final ModelProperties properties;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final Path workDir;

    ModelPredictions(ModelService models, ModelProperties properties, JdbcClient jdbc, TransactionTemplate transaction,
                     PlazaProperties plaza) {
        this.models = models;
        this.properties = properties;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.workDir = plaza.dataDir().resolve("work");
    }

    /** How a model takes input, if {@code caller} may ask it for predictions (else why not). */
    Preprocessing inputOf(long modelId, AccountPrincipal caller) {
        return usable(models.page(modelId, caller)).inputPreprocessing().orElseThrow(
                () -> new UserFacingException(null, "model.predict.error.colour"));
    }

    /** Predictions for raw records: each a map from the model's input columns to values as in a CSV. */
    Prediction predictRecords(long modelId, AccountPrincipal caller, Via via, List<Map<String, String>> records) {
        return predict(modelId, caller, via, records.size(), p -> {
            float[][] encoded = new float[records.size()][];
            for (int i = 0; i < records.size(); i++) {
                encoded[i] = encodeRecord(p, records.get(i), i, records.size());
            }
            return encoded;
        });
    }

    /** Predictions for images (any size: each is resized to the model's input). */
    Prediction predictImages(long modelId, AccountPrincipal caller, Via via, List<BufferedImage> images) {
        return predict(modelId, caller, via, images.size(), p -> {
            if (!p.forImages()) {
                throw new UserFacingException("image", "model.predict.error.not-image");
            }
            return images.stream().map(p::encode).toArray(float[][]::new);
        });
    }

    private interface Encoding {
        float[][] encode(Preprocessing preprocessing);
    }

    private Prediction predict(long modelId, AccountPrincipal caller, Via via, int instances, Encoding encoding) {
        if (instances < 1 || instances > properties.maxInstances()) {
            throw new UserFacingException("instances", "model.predict.error.instances", properties.maxInstances());
        }
        ModelService.ModelPage page = models.page(modelId, caller);
        ModelCard card = usable(page);
        Preprocessing preprocessing = card.inputPreprocessing()
                .orElseThrow(() -> new UserFacingException(null, "model.predict.error.colour"));
        if (!page.mayUse()) {
            freeCallsLeft(modelId, caller.id()); // before the work; checked again under the lock when recorded
        }
        long started = System.nanoTime();
        float[][] inputs = encoding.encode(preprocessing);
        List<Outcome> outcomes = run(modelId, page, card, preprocessing, inputs);
        double latencyMs = (System.nanoTime() - started) / 1e6;
        record(modelId, caller.id(), via, instances, latencyMs, !page.mayUse());
        return new Prediction(outcomes, latencyMs);
    }

    /** The card of a model whose weights this caller may run, or why not. */
    private ModelCard usable(ModelService.ModelPage page) {
        if (page.model().weightsKey() == null) {
            throw new UserFacingException(null, "model.predict.error.no-weights");
        }
        if (page.model().withheld()) {
            throw new UserFacingException(null, "model.error.withheld");
        }
        if (!page.mayUse() && !page.listing().published()) {
            throw new ai.aicrypto.plaza.platform.NotFoundException();
        }
        return page.card();
    }

    private static float[] encodeRecord(Preprocessing preprocessing, Map<String, String> record, int index, int count) {
        if (preprocessing.forImages()) {
            throw new UserFacingException("image", "model.predict.error.image-expected");
        }
        try {
            return preprocessing.encode(record);
        } catch (DatasetFormatException e) {
            // Which record, when a request carries several
            throw count == 1 ? new UserFacingException(null, e.messageKey(), e.args())
                    : new UserFacingException(null, "model.predict.error.in-record", index + 1,
                            new DefaultMessageSourceResolvable(new String[] {e.messageKey()}, e.args()));
        }
    }

    private List<Outcome> run(long modelId, ModelService.ModelPage page, ModelCard card, Preprocessing preprocessing,
                              float[][] inputs) {
        int width = preprocessing.featureCount();
        float[] flat = new float[inputs.length * width];
        for (int i = 0; i < inputs.length; i++) {
            System.arraycopy(inputs[i], 0, flat, i * width, width);
        }
        Path weights = null;
        try {
            weights = Files.createTempFile(Files.createDirectories(workDir), "predict-", ".safetensors");
            try (InputStream in = models.decryptWeights(modelId, page.model())) {
                Files.copy(in, weights, StandardCopyOption.REPLACE_EXISTING);
            }
            try (NDManager manager = DenseNetwork.cpuManager(); F32Tensors tensors = F32Tensors.open(weights)) {
                NDArray out = DenseNetwork.forward(manager, card, width, tensors,
                        manager.create(flat, new Shape(inputs.length, width)));
                return outcomes(card, out.toFloatArray(), inputs.length);
            }
        } catch (F32Tensors.UnfitTensorsException e) {
            throw new UserFacingException(null, "model.predict.error.unfit-weights");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (weights != null) {
                weights.toFile().delete();
            }
        }
    }

    /** Softmax over each row's logits (classification) or the value itself (regression). */
    private static List<Outcome> outcomes(ModelCard card, float[] out, int rows) {
        List<Outcome> outcomes = new ArrayList<>(rows);
        int width = out.length / rows;
        for (int r = 0; r < rows; r++) {
            if (!card.isClassification()) {
                outcomes.add(new Outcome(null, List.of(), (double) out[r * width]));
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < width; c++) {
                max = Math.max(max, out[r * width + c]);
            }
            double sum = 0;
            double[] p = new double[width];
            for (int c = 0; c < width; c++) {
                p[c] = Math.exp(out[r * width + c] - max);
                sum += p[c];
            }
            List<ClassScore> scores = new ArrayList<>(width);
            for (int c = 0; c < width; c++) {
                scores.add(new ClassScore(card.classes().get(c), p[c] / sum));
            }
            scores.sort(Comparator.comparingDouble(ClassScore::probability).reversed());
            List<ClassScore> top = List.copyOf(scores.subList(0, Math.min(TOP_CLASSES, width)));
            outcomes.add(new Outcome(top.get(0).label(), top, null));
        }
        return outcomes;
    }

    private void freeCallsLeft(long modelId, long callerId) {
        long used = jdbc.sql("""
                        SELECT count(*) FROM model_calls
                        WHERE caller_id = ? AND model_id = ? AND free_quota AND created_at > now() - interval '1 day'""")
                .params(callerId, modelId).query(Long.class).single();
        if (used >= properties.freeCallsPerDay()) {
            throw new UserFacingException(null, "model.predict.error.free-calls-used", properties.freeCallsPerDay());
        }
    }

    /**
     * Records the call; a member's free call counts against the quota under a per-caller lock, so parallel calls
     * cannot exceed it. A refused call records nothing.
     */
    private void record(long modelId, long callerId, Via via, int instances, double latencyMs, boolean freeQuota) {
        transaction.executeWithoutResult(status -> {
            if (freeQuota) {
                jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('model-calls'), ?)").param((int) callerId).query().listOfRows();
                freeCallsLeft(modelId, callerId);
            }
            jdbc.sql("""
                            INSERT INTO model_calls (model_id, caller_id, via, instances, latency_ms, free_quota)
                            VALUES (?, ?, ?, ?, ?, ?)""")
                    .params(modelId, callerId, via.name(), instances, latencyMs, freeQuota).update();
        });
    }
}
