package ai.aicrypto.plaza.model.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.dataset.format.DatasetFormatException;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.ModelProperties;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.InvalidModelCardException;
import ai.aicrypto.plaza.model.inference.BoostedTrees;
import ai.aicrypto.plaza.model.inference.TrainedNetwork;
import ai.aicrypto.plaza.model.inference.DenseNetwork;
import ai.aicrypto.plaza.model.inference.F32Tensors;
import ai.aicrypto.plaza.model.inference.LayerWeights;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.serving.Credit;
import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.ServableModels;
import ai.aicrypto.plaza.serving.ServingProperties;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.context.support.DefaultMessageSourceResolvable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Predictions of a model with weights, asked through its page ("try it") or the API: raw records or images are
 * encoded as the model's card says ({@link ModelCard#inputPreprocessing()}), run by a serving worker of the GPU fleet
 * through the {@link InferenceGateway}, or, when none answers, on the plaza's CPU ({@link DenseNetwork},
 * {@link TrainedNetwork}, {@link BoostedTrees}: what verifies training), and answered with the top classes and their
 * probabilities, or the predicted value. Who served it, and its GPU-seconds, are recorded and charged with the call.
 * <p>
 * Who may call: the owner always; others as the owner's {@link ApiVisibility} says. What it costs: nothing for the
 * owner or at price 0; otherwise the owner's price per 1,000 predictions, charged to the caller's prepaid credit
 * ({@link Credit}), except that "try it" on the page first uses {@link ModelProperties#freeCallsPerDay()} free calls
 * per model in any 24 hours. A call is checked for credit before any work, and charged only once it has been
 * answered, in the transaction that records it: a call that fails is charged nothing and recorded nowhere.
 */
@Service
class ModelPredictions implements ServableModels {

    private static final Logger log = LoggerFactory.getLogger(ModelPredictions.class);

    static final int TOP_CLASSES = 5;
    /** How long an owner's run waits before asking again when every serving worker's queue is full. */
    private static final long SATURATED_PAUSE_MS = 200;

    /** {@code RUN}: an owner's own run of many records away from any request ({@link #runForOwner}). */
    enum Via { PAGE, API, RUN }

    /** @param top classification: up to {@value #TOP_CLASSES} classes, most probable first; else empty */
    record Outcome(String label, List<ClassScore> top, Double value) {
    }

    record ClassScore(String label, double probability) {

        /** The bar's length on the page. */
        public int widthPx() {
            return (int) Math.max(2, Math.round(probability * 240));
        }
    }

    /**
     * @param latencyMs the time to encode the input, load the weights and run the network
     * @param workerId  the serving worker that ran it; null when the plaza ran it in-process
     * @param coldStart whether the worker loaded the model for this call
     */
    record Prediction(List<Outcome> outcomes, double latencyMs, Long workerId, boolean coldStart) {
    }

    private final ModelService models;
    private final Credit credit;
    private final InferenceGateway gateway;
    private final ServingProperties serving;
    /** Shadow checks, one at a time off the callers' threads; when it falls behind, further checks are skipped. */
    private final ThreadPoolExecutor checks = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
            r -> {
                Thread t = new Thread(r, "serving-shadow-checks");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());
    private final ModelProperties properties;
    private final JdbcClient jdbc;
    private final CallRecords records;
    private final TransactionTemplate transaction;
    private final Path workDir;
    private final ModelCardValidator validator = new ModelCardValidator();
    /** Models run lately, decrypted in memory only, bounded by their weights' size. */
    private final Cache<String, Loaded> cache;

    ModelPredictions(ModelService models, Credit credit, InferenceGateway gateway, ServingProperties serving,
                     ModelProperties properties, JdbcClient jdbc, CallRecords records, TransactionTemplate transaction,
                     PlazaProperties plaza) {
        this.models = models;
        this.credit = credit;
        this.gateway = gateway;
        this.serving = serving;
        this.properties = properties;
        this.jdbc = jdbc;
        this.records = records;
        this.transaction = transaction;
        this.workDir = plaza.dataDir().resolve("work");
        this.cache = Caffeine.newBuilder().maximumWeight(properties.cacheSize().toBytes())
                .weigher((String key, Loaded model) -> (int) Math.min(Integer.MAX_VALUE, 4L * model.preprocessing().featureCount()
                        + weightBytes(model))).build();
    }

    /** Loads the inference engine's natives (seconds) once the app is up, so no caller waits for them. */
    @EventListener(ApplicationReadyEvent.class)
    void warmUp() {
        Thread warmUp = new Thread(() -> {
            try (NDManager manager = DenseNetwork.cpuManager()) {
                manager.zeros(new Shape(1));
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                log.warn("The inference engine did not load; predictions will try again: {}", e.toString());
            }
        }, "inference-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    private static long weightBytes(Loaded model) {
        if (model.trees() != null) {
            return model.trees().memoryBytes();
        }
        if (model.network() != null) {
            return model.network().memoryBytes();
        }
        long floats = 0;
        List<Integer> sizes = new ArrayList<>();
        sizes.add(model.preprocessing().featureCount());
        sizes.addAll(model.card().hiddenSizes());
        sizes.add(model.card().outputSize());
        for (int l = 0; l < sizes.size() - 1; l++) {
            floats += (long) sizes.get(l) * sizes.get(l + 1) + sizes.get(l + 1);
        }
        return 4 * floats;
    }

    /** How a model takes input, if {@code caller} may ask it for predictions (else why not). */
    Preprocessing inputOf(long modelId, AccountPrincipal caller) {
        ModelService.Seen seen = models.seen(modelId, caller);
        usable(seen, caller);
        return loaded(modelId, seen.model()).preprocessing();
    }

    /**
     * Predictions for raw records: each a map from the model's input columns to values as in a CSV.
     *
     * @param tokenId the API token the call came with; null from the page
     */
    Prediction predictRecords(long modelId, AccountPrincipal caller, Via via, Long tokenId, List<Map<String, String>> records) {
        return predict(modelId, caller, via, tokenId, records.size(), p -> {
            float[][] encoded = new float[records.size()][];
            for (int i = 0; i < records.size(); i++) {
                encoded[i] = encodeRecord(p, records.get(i), i, records.size());
            }
            return encoded;
        });
    }

    /** Predictions for images (any size: each is resized to the model's input). */
    Prediction predictImages(long modelId, AccountPrincipal caller, Via via, Long tokenId, List<BufferedImage> images) {
        return predict(modelId, caller, via, tokenId, images.size(), p -> {
            if (!p.forImages()) {
                throw new UserFacingException("image", "model.predict.error.not-image");
            }
            return images.stream().map(p::encode).toArray(float[][]::new);
        });
    }

    private interface Encoding {
        float[][] encode(Preprocessing preprocessing);
    }

    private Prediction predict(long modelId, AccountPrincipal caller, Via via, Long tokenId, int instances, Encoding encoding) {
        if (instances < 1 || instances > properties.maxInstances()) {
            throw new UserFacingException("instances", "model.predict.error.instances", properties.maxInstances());
        }
        ModelService.Seen seen = models.seen(modelId, caller);
        usable(seen, caller);
        Call call = new Call(modelId, caller.id(), seen.listing().ownerId(), via, tokenId, instances,
                seen.listing().ownedBy(caller) ? BigDecimal.ZERO : seen.model().apiPricePer1000Aic());
        // Before the work: free calls left, or credit that covers it (both checked again when the call is recorded).
        BigInteger modelCost = call.paid() && !(via == Via.PAGE && freeCallLeft(call)) ? call.cost() : BigInteger.ZERO;
        if (modelCost.signum() > 0) {
            credit.requireAvailable(caller.id(), modelCost);
        }
        Optional<BigDecimal> fleetPriceCeiling = fleetAffordable(caller.id(), modelCost);
        long started = System.nanoTime();
        Loaded model = loaded(modelId, seen.model());
        float[] rows = flatten(model, encoding.encode(model.preprocessing()));
        InferenceGateway.ModelToServe toServe = toServe(modelId, seen.model(), model);
        Optional<InferenceGateway.Served> served = fleetPriceCeiling.flatMap(price -> gateway.run(toServe, rows, instances, price));
        List<Outcome> outcomes = served.isPresent() ? outcomes(model.card(), served.get().outputs(), instances)
                : runInProcess(model, rows, instances);
        double latencyMs = (System.nanoTime() - started) / 1e6;
        record(call, latencyMs, served.orElse(null));
        served.ifPresent(answer -> maybeCheck(model, toServe, rows, instances, answer));
        return new Prediction(outcomes, latencyMs, served.map(InferenceGateway.Served::workerId).orElse(null),
                served.map(InferenceGateway.Served::coldStart).orElse(false));
    }

    /**
     * The highest serving price the call may be routed to, if it may go to the worker fleet: its credit must also cover
     * the most a serving worker can be paid for it, and only workers up to the price checked are chosen (so one that
     * comes online in between cannot cost more). Otherwise the plaza answers it on its own CPU, so a member without
     * credit still calls a free model while paid workers serve; unless the plaza is configured never to answer itself,
     * when the answer is 402.
     */
    private Optional<BigDecimal> fleetAffordable(long callerId, BigInteger modelCost) {
        InferenceGateway.ServingBound bound = gateway.servingBound();
        BigInteger total = modelCost.add(bound.costWei());
        if (bound.costWei().signum() == 0 || credit.covers(callerId, total)) {
            return Optional.of(bound.pricePerGpuSecondAic());
        }
        if (serving.fallback() == ServingProperties.Fallback.IN_PROCESS) {
            return Optional.empty();
        }
        credit.requireAvailable(callerId, total); // throws the 402 that says what the call costs and what is available
        return Optional.of(bound.pricePerGpuSecondAic());
    }

    /**
     * A call to meter: {@code pricePer1000Aic} is what the caller pays per 1,000 instances (0 for the owner).
     */
    private record Call(long modelId, long callerId, long ownerId, Via via, Long tokenId, int instances,
                        BigDecimal pricePer1000Aic) {

        boolean paid() {
            return pricePer1000Aic.signum() > 0;
        }

        /** The price of the instances in wei, rounded up: a paid call never costs nothing. */
        BigInteger cost() {
            BigInteger[] split = Aic.toWei(pricePer1000Aic).multiply(BigInteger.valueOf(instances))
                    .divideAndRemainder(BigInteger.valueOf(1000));
            return split[1].signum() == 0 ? split[0] : split[0].add(BigInteger.ONE);
        }
    }

    /**
     * A batch of an owner's run: the outcomes, where the time went, and the serving worker's answer (null when the plaza
     * answered in-process).
     *
     * @param loadMs      decrypting and reading the weights on the plaza (0 when they were cached)
     * @param inferenceMs the fleet's answer (queue, transfer, a worker's cold start and its compute) or the plaza's own
     *                    forward pass
     */
    record OwnerBatch(List<Outcome> outcomes, double loadMs, double inferenceMs, InferenceGateway.Served served) {
    }

    /**
     * Outcomes for raw records, for a run its owner asked for away from any request (a competition's code submission, a
     * commission's model): served by the GPU fleet as the owner's own call of the model is, so the model's price is
     * not charged (the owner never pays it) but the serving provider's GPU-seconds are, to the owner's credit, and the
     * batch is recorded as a call ({@link Via#RUN}). Without credit for the fleet the plaza runs it in-process, unless
     * {@link ServingProperties#fallback()} says never, when the credit's refusal says what it costs. When every
     * worker's queue is full the batch waits for room (the run's time limit interrupts it). The caller has checked that
     * the owner may run these weights.
     */
    OwnerBatch runForOwner(long modelId, ModelService.StoredModel stored, long ownerId, List<Map<String, String>> records) {
        return runForOwner(modelId, stored, ownerId, p -> {
            float[][] encoded = new float[records.size()][];
            for (int i = 0; i < records.size(); i++) {
                encoded[i] = encodeRecord(p, records.get(i), i, records.size());
            }
            return encoded;
        });
    }

    /** {@link #runForOwner} for an image model's pictures (any size: each is resized to the model's input). */
    OwnerBatch runImagesForOwner(long modelId, ModelService.StoredModel stored, long ownerId, List<BufferedImage> pictures) {
        return runForOwner(modelId, stored, ownerId, p -> {
            if (!p.forImages()) {
                throw new UserFacingException("image", "model.predict.error.not-image");
            }
            return pictures.stream().map(p::encode).toArray(float[][]::new);
        });
    }

    private OwnerBatch runForOwner(long modelId, ModelService.StoredModel stored, long ownerId, Encoding encoding) {
        long started = System.nanoTime();
        Loaded model = loaded(modelId, stored);
        double loadMs = (System.nanoTime() - started) / 1e6;
        float[][] inputs = encoding.encode(model.preprocessing());
        float[] rows = flatten(model, inputs);
        InferenceGateway.ModelToServe toServe = toServe(modelId, stored, model);
        Call call = new Call(modelId, ownerId, ownerId, Via.RUN, null, inputs.length, BigDecimal.ZERO);
        long inference = System.nanoTime();
        Optional<InferenceGateway.Served> served = fleetAffordable(ownerId, BigInteger.ZERO)
                .flatMap(price -> runWhenRoom(toServe, rows, inputs.length, price));
        List<Outcome> outcomes = served.isPresent() ? outcomes(model.card(), served.get().outputs(), inputs.length)
                : runInProcess(model, rows, inputs.length);
        double inferenceMs = (System.nanoTime() - inference) / 1e6;
        record(call, loadMs + inferenceMs, served.orElse(null));
        served.ifPresent(answer -> maybeCheck(model, toServe, rows, inputs.length, answer));
        return new OwnerBatch(outcomes, loadMs, inferenceMs, served.orElse(null));
    }

    /**
     * Refuses, before an owner's run counts, what {@link #runForOwner} would refuse for want of credit: where the plaza
     * never answers in-process, the owner's credit must cover the most a batch may cost on the fleet.
     */
    void requireOwnerRunCredit(long ownerId) {
        fleetAffordable(ownerId, BigInteger.ZERO);
    }

    /** A run has no caller waiting for a 429: it waits for a worker's queue to have room. */
    private Optional<InferenceGateway.Served> runWhenRoom(InferenceGateway.ModelToServe toServe, float[] rows, int count,
                                                          BigDecimal price) {
        while (true) {
            try {
                return gateway.run(toServe, rows, count, price);
            } catch (InferenceGateway.Saturated e) {
                try {
                    Thread.sleep(SATURATED_PAUSE_MS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new java.util.concurrent.CancellationException("interrupted while the serving workers were busy");
                }
            }
        }
    }

    private InferenceGateway.ModelToServe toServe(long modelId, ModelService.StoredModel stored, Loaded model) {
        int outputWidth = model.card().isClassification() ? Math.max(2, model.card().outputSize()) : model.card().outputSize();
        return new InferenceGateway.ModelToServe(stored.weightsKey(), modelId, stored.cardJson(),
                model.preprocessing().featureCount(), outputWidth, () -> models.decryptWeights(modelId, stored));
    }

    /**
     * A model a call forwarded by another instance names, for this instance's workers to load; the weights' key must
     * still be the model's (the forwarding instance checked the caller against the same weights).
     */
    @Override
    public Optional<InferenceGateway.ModelToServe> servable(long modelId, String key) {
        return models.find(modelId).filter(stored -> key.equals(stored.weightsKey()) && !stored.withheld())
                .map(stored -> toServe(modelId, stored, loaded(modelId, stored)));
    }

    /** Refuses a model whose weights this caller may not run, or whose owner does not let them call it. */
    private static void usable(ModelService.Seen seen, AccountPrincipal caller) {
        if (seen.model().weightsKey() == null) {
            throw new UserFacingException(null, "model.predict.error.no-weights");
        }
        if (seen.model().withheld()) {
            throw new UserFacingException(null, "model.error.withheld");
        }
        if (!seen.mayUse() && !seen.listing().published()) {
            throw new ai.aicrypto.plaza.platform.NotFoundException();
        }
        if (seen.listing().ownedBy(caller)) {
            return;
        }
        switch (seen.model().apiVisibility()) {
            case PRIVATE -> throw new CallRefusedException("model.api.error.private");
            case LICENSEES -> {
                if (!seen.mayUse()) {
                    throw new CallRefusedException("model.api.error.licensees");
                }
            }
            case PUBLIC -> {
            }
        }
    }

    /** The owner does not let this caller call the model (answered 403). */
    static final class CallRefusedException extends UserFacingException {

        CallRefusedException(String messageKey) {
            super(null, messageKey);
        }
    }

    /** A model ready to run: its card, how it takes input and its network's weights or its trees in memory. */
    private record Loaded(ModelCard card, Preprocessing preprocessing, LayerWeights weights, BoostedTrees trees, TrainedNetwork network) {
    }

    /**
     * The model, from the cache when it was run lately. Stored weights never change (a new upload is a new blob
     * key), so the key names both the weights and the card stored with them.
     */
    private Loaded loaded(long modelId, ModelService.StoredModel stored) {
        return cache.get(stored.weightsKey(), key -> load(modelId, stored));
    }

    private Loaded load(long modelId, ModelService.StoredModel stored) {
        ModelCard card = validator.parse(stored.cardJson());
        Preprocessing preprocessing = card.inputPreprocessing()
                .orElseThrow(() -> new UserFacingException(null, "model.predict.error.colour"));
        Path file = null;
        try {
            file = Files.createTempFile(Files.createDirectories(workDir), "predict-", ".safetensors");
            try (InputStream in = models.decryptWeights(modelId, stored)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            if (card.isTrees()) {
                return new Loaded(card, preprocessing, null, BoostedTrees.read(file, BoostedTrees.Limits.widestOf(card))
                        .requireFits(card), null);
            }
            try (F32Tensors tensors = F32Tensors.open(file)) {
                Optional<TrainedNetwork> network = TrainedNetwork.of(card, tensors);
                return network.isPresent() ? new Loaded(card, preprocessing, null, null, network.get())
                        : new Loaded(card, preprocessing, LayerWeights.inMemory(tensors), null, null);
            }
        } catch (F32Tensors.UnfitTensorsException | InvalidModelCardException e) {
            throw new UserFacingException(null, "model.predict.error.unfit-weights");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                file.toFile().delete();
            }
        }
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

    private static float[] flatten(Loaded model, float[][] inputs) {
        int width = model.preprocessing().featureCount();
        float[] flat = new float[inputs.length * width];
        for (int i = 0; i < inputs.length; i++) {
            System.arraycopy(inputs[i], 0, flat, i * width, width);
        }
        return flat;
    }

    /** The plaza's own forward pass: what answers when no serving worker does (and what verifies training). */
    private static List<Outcome> runInProcess(Loaded model, float[] flat, int rows) {
        if (model.trees() != null) {
            return java.util.Arrays.stream(model.trees().predict(flat, rows)).map(p -> outcome(model.card(), p)).toList();
        }
        return outcomes(model.card(), forwardInProcess(model, flat, rows), rows);
    }

    /** The model family's outputs, row-major, as a serving worker answers them. */
    private static float[] forwardInProcess(Loaded model, float[] flat, int rows) {
        int width = model.preprocessing().featureCount();
        if (model.trees() != null) {
            double[][] p = model.trees().predict(flat, rows);
            float[] out = new float[rows * p[0].length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < p[r].length; c++) {
                    out[r * p[r].length + c] = (float) p[r][c];
                }
            }
            return out;
        }
        if (model.network() != null) {
            return model.network().forward(flat, rows);
        }
        try (NDManager manager = DenseNetwork.cpuManager()) {
            return DenseNetwork.forward(manager, model.card(), width, model.weights(),
                    manager.create(flat, new Shape(rows, width))).toFloatArray();
        } catch (F32Tensors.UnfitTensorsException e) {
            throw new UserFacingException(null, "model.predict.error.unfit-weights");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Shadow verification of a served answer, for a share of calls, after the caller has it: the same rows on a worker
     * of another provider; when the two disagree, the plaza's own forward pass decides, and a worker that disagrees
     * with it is rejected (the gateway stops using it; the compute module counts a rejected result against it).
     */
    private void maybeCheck(Loaded model, InferenceGateway.ModelToServe toServe, float[] rows, int count,
                            InferenceGateway.Served answer) {
        if (ThreadLocalRandom.current().nextDouble() >= serving.shadowShare()) {
            return;
        }
        checks.execute(() -> {
            try {
                InferenceGateway.Served other = gateway.shadow(toServe, rows, count, answer.providerId()).orElse(null);
                if (other == null || agree(answer.outputs(), other.outputs())) {
                    return;
                }
                float[] plaza = forwardInProcess(model, rows, count);
                for (InferenceGateway.Served worker : List.of(answer, other)) {
                    if (!agree(worker.outputs(), plaza)) {
                        gateway.reject(worker.workerId(), toServe.modelId(), "its answer to " + count
                                + " rows differs from the plaza's own forward pass of the same weights");
                    }
                }
            } catch (RuntimeException e) {
                log.warn("A shadow check of model {} failed: {}", toServe.modelId(), e.toString());
            }
        });
    }

    /** Equal within float rounding of different kernels (a relative and absolute 1e-3). */
    private static boolean agree(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-3 * (1 + Math.abs(b[i])))) {
                return false;
            }
        }
        return true;
    }

    /**
     * What a model's outputs mean, by family: trees give each row's class probabilities (or its value), a network its
     * logits, turned into probabilities by a softmax (or the value itself, for regression). Outputs of the plaza's
     * forward pass and of a serving worker's read the same.
     */
    private static List<Outcome> outcomes(ModelCard card, float[] out, int rows) {
        List<Outcome> outcomes = new ArrayList<>(rows);
        int width = out.length / rows;
        for (int r = 0; r < rows; r++) {
            if (card.isTrees()) {
                double[] p = new double[width];
                for (int c = 0; c < width; c++) {
                    p[c] = out[r * width + c];
                }
                outcomes.add(outcome(card, p));
                continue;
            }
            if (!card.isClassification()) {
                outcomes.add(outcome(card, new double[] {out[r * width]}));
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
            for (int c = 0; c < width; c++) {
                p[c] /= sum;
            }
            outcomes.add(outcome(card, p));
        }
        return outcomes;
    }

    /** The top classes of one row's class probabilities, or its predicted value (regression: {@code [value]}). */
    private static Outcome outcome(ModelCard card, double[] p) {
        if (!card.isClassification()) {
            return new Outcome(null, List.of(), p[0]);
        }
        List<ClassScore> scores = new ArrayList<>(p.length);
        for (int c = 0; c < p.length; c++) {
            scores.add(new ClassScore(card.classes().get(c), p[c]));
        }
        scores.sort(Comparator.comparingDouble(ClassScore::probability).reversed());
        List<ClassScore> top = List.copyOf(scores.subList(0, Math.min(TOP_CLASSES, p.length)));
        return new Outcome(top.get(0).label(), top, null);
    }

    private boolean freeCallLeft(Call call) {
        long used = jdbc.sql("""
                        SELECT count(*) FROM model_calls
                        WHERE caller_id = ? AND model_id = ? AND free_quota AND created_at > now() - interval '1 day'""")
                .params(call.callerId(), call.modelId()).query(Long.class).single();
        return used < properties.freeCallsPerDay();
    }

    /**
     * Records the call with what it was charged, in one transaction: a free call of the page counts against the quota
     * under a per-caller lock (so parallel calls cannot exceed it; once it is used up the call is charged), a paid one
     * is charged to the caller's credit, which refuses to overdraw. A refused call records nothing. A call that charges
     * nothing is stored with those of other callers at the same moment ({@link CallRecords}), without a transaction.
     */
    private void record(Call call, double latencyMs, InferenceGateway.Served served) {
        BigInteger serving = served == null ? BigInteger.ZERO : served.costWei();
        if (!call.paid() && serving.signum() == 0) {
            insertCall(call, latencyMs, served, false, BigInteger.ZERO, null, serving);
            return;
        }
        transaction.executeWithoutResult(status -> {
            boolean freeQuota = false;
            if (call.paid() && call.via() == Via.PAGE) {
                jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('model-calls'), ?)").param((int) call.callerId()).query().listOfRows();
                freeQuota = freeCallLeft(call);
            }
            BigInteger charged = call.paid() && !freeQuota ? call.cost() : BigInteger.ZERO;
            String payerWallet = charged.signum() > 0 ? credit.charge(call.callerId(), call.ownerId(), call.modelId(), charged) : null;
            // The serving provider's GPU-seconds, one more charge of the same call (settled in the same batches).
            if (serving.signum() > 0) {
                credit.charge(call.callerId(), served.providerId(), call.modelId(), serving);
            }
            insertCall(call, latencyMs, served, freeQuota, charged, payerWallet, serving);
        });
    }

    private void insertCall(Call call, double latencyMs, InferenceGateway.Served served, boolean freeQuota, BigInteger charged,
                            String payerWallet, BigInteger serving) {
        records.store(new CallRecords.CallRow(call.modelId(), call.callerId(), call.via().name(), call.instances(), latencyMs,
                freeQuota, call.tokenId(), call.ownerId(), call.pricePer1000Aic(), new BigDecimal(charged), payerWallet,
                served == null ? null : served.workerId(), served == null ? null : served.providerId(),
                served != null && served.coldStart(), served == null ? 0.0 : served.gpuSeconds(), new BigDecimal(serving)));
    }
}
