package ai.aicrypto.plaza.competition.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import ai.aicrypto.plaza.competition.HiddenTestRuns;
import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.competition.scoring.Scorer;
import ai.aicrypto.plaza.competition.scoring.Scores;
import ai.aicrypto.plaza.competition.scoring.Solution;
import ai.aicrypto.plaza.competition.scoring.SubmissionRejected;
import ai.aicrypto.plaza.competition.scoring.SubmissionValidator;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.IdImageArchive;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.ModelRuns;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Code submissions: a participant submits a model they own and the plaza runs it on the hidden test inputs, which
 * nobody downloads but the host and participants (and the model never sees the labels). The predictions are written
 * as a predictions file and scored as one. Test inputs are table rows (a CSV, for a model reading records) or images
 * named by their ids (a ZIP, for an image model: each picture encoded by the model's recorded preprocessing).
 */
@Component
class CodeSubmissions implements HiddenTestRuns, DisposableBean {

    /** Records per call of the model: large enough for its batched forward pass, small enough to stop on time. */
    private static final int BATCH = 512;
    /** Pictures per call: decoded pictures of any size are held in memory together. */
    private static final int IMAGE_BATCH = 128;
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator("\n").get();

    private final ModelRuns runs;
    private final CompetitionFiles files;
    private final Datasets datasets;
    private final Duration timeLimit;
    private final Path workDir;
    /** Runs for other modules' hidden test sets, off the request thread so that the time limit can stop them. */
    private final ExecutorService runners;

    CodeSubmissions(ModelRuns runs, CompetitionFiles files, Datasets datasets, CompetitionProperties properties,
                    PlazaProperties plaza) {
        this.runs = runs;
        this.workDir = plaza.dataDir().resolve("work"); // where a crash's leftovers are found and deleted
        this.files = files;
        this.datasets = datasets;
        this.timeLimit = properties.scoringTimeLimit();
        CustomizableThreadFactory threads = new CustomizableThreadFactory("hidden-test-run-");
        threads.setDaemon(true);
        this.runners = Executors.newFixedThreadPool(properties.scoringThreads(), threads);
    }

    @Override
    public double score(Solution solution, Supplier<InputStream> testInputs, long ownerId, long modelId) {
        check(solution, testInputColumns(testInputs), ownerId, modelId);
        Future<Scores> run = runners.submit(() -> {
            Path predictions = Files.createTempFile(Files.createDirectories(workDir), "hidden-test-run-", ".csv");
            try {
                try (OutputStream out = Files.newOutputStream(predictions)) {
                    predict(testInputs, solution, ownerId, modelId, out);
                }
                try (InputStream in = Files.newInputStream(predictions)) {
                    // A class the model learnt that the hidden truth happens not to have is a wrong answer, as in scoring.
                    return Scorer.score(solution, in, SubmissionValidator.UnknownLabels.WRONG);
                }
            } finally {
                Files.deleteIfExists(predictions);
            }
        });
        try {
            return run.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS).revealPrivate().overallScore();
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new UserFacingException("modelId", "competition.error.model-time-limit", timeLimit.toSeconds());
        } catch (InterruptedException e) {
            run.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while the model ran");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UserFacingException refusal) {
                throw refusal;
            }
            if (e.getCause() instanceof SubmissionRejected) {
                throw new UserFacingException("modelId", "competition.error.model-answers");
            }
            throw new IllegalStateException("running model " + modelId + " on hidden test inputs failed", e.getCause());
        }
    }

    @Override
    public void destroy() {
        runners.shutdownNow();
    }

    /** The models {@code ownerId} could submit to {@code phase}: their own, with weights, reading its test inputs. */
    List<ModelRuns.RunnableModel> choices(CompetitionPhase phase, long ownerId) {
        return runs.runnableBy(ownerId, phase.testImages() ? ModelRuns.Input.IMAGES : ModelRuns.Input.TABLE);
    }

    /**
     * Checks before anything counts that the owner's model can answer this competition: test inputs exist, the model
     * reads what they are (records with every column it reads; images of the size and channels of the competition's
     * training images) and predicts what the metric scores.
     *
     * @throws UserFacingException why not
     */
    ModelRuns.RunnableModel check(Competition c, CompetitionPhase phase, Solution solution, long ownerId, long modelId) {
        if (!phase.testImages()) {
            return check(solution, testInputColumns(() -> files.openTestInputs(phase).orElseThrow(
                    () -> new UserFacingException("modelId", "competition.error.code-needs-test-inputs"))), ownerId, modelId);
        }
        ModelRuns.RunnableModel model = runnable(ownerId, modelId, ModelRuns.Input.IMAGES);
        Preprocessing.Image trained = c.datasetId() == null ? null : datasets.preprocessing(c.datasetId()).image();
        ModelRuns.ImageInput reads = model.image();
        if (trained != null && (trained.height() != reads.height() || trained.width() != reads.width()
                || trained.channels() != reads.channels())) {
            throw new UserFacingException("modelId", "competition.error.model-image-shape", reads.width(), reads.height(),
                    reads.channels(), trained.width(), trained.height(), trained.channels());
        }
        return fits(solution, model, ownerId);
    }

    private ModelRuns.RunnableModel check(Solution solution, List<String> columns, long ownerId, long modelId) {
        ModelRuns.RunnableModel model = runnable(ownerId, modelId, ModelRuns.Input.TABLE);
        List<String> missing = model.inputColumns().stream().filter(name -> !columns.contains(name)).toList();
        if (!missing.isEmpty()) {
            throw new UserFacingException("modelId", "competition.error.model-columns", missing.size(),
                    String.join(", ", missing.subList(0, Math.min(10, missing.size()))));
        }
        return fits(solution, model, ownerId);
    }

    /** The owner's model reading {@code input}; refused as not theirs, or as reading the other kind of input. */
    private ModelRuns.RunnableModel runnable(long ownerId, long modelId, ModelRuns.Input input) {
        return runs.runnable(modelId, ownerId, input).orElseThrow(() -> {
            ModelRuns.Input other = input == ModelRuns.Input.TABLE ? ModelRuns.Input.IMAGES : ModelRuns.Input.TABLE;
            return runs.runnable(modelId, ownerId, other).isPresent()
                    ? new UserFacingException("modelId", "competition.error.model-input." + input.name().toLowerCase(Locale.ROOT))
                    : new UserFacingException("modelId", "competition.error.model-not-yours");
        });
    }

    /** The model predicts what the metric scores, and its owner can pay for the run. */
    private ModelRuns.RunnableModel fits(Solution solution, ModelRuns.RunnableModel model, long ownerId) {
        Metric metric = solution.metric();
        boolean fits = switch (metric.predictionKind()) {
            case LABEL -> model.classifier();
            case PROBABILITY -> model.classes().size() == 2;
            case NUMBER -> !model.classifier();
        };
        if (!fits) {
            throw new UserFacingException("modelId", "competition.error.model-kind." + metric.predictionKind().name().toLowerCase(Locale.ROOT));
        }
        runs.requireCredit(ownerId); // the serving fleet's GPU-seconds are the submitter's
        return model;
    }

    /**
     * Runs the owner's model on every row of the test inputs and writes its predictions file ({@code id,prediction})
     * to {@code out}. Stops with a {@link CancellationException} when the thread is interrupted (the time limit).
     *
     * @throws UserFacingException when the model can no longer run (withdrawn, sold) or a row does not fit it
     */
    void predict(CompetitionPhase phase, Solution solution, long ownerId, long modelId, OutputStream out) throws IOException {
        if (phase.testImages()) {
            files.withTestImages(phase, zip -> {
                predictImages(zip, solution, ownerId, modelId, out);
                return null;
            });
            return;
        }
        predict(() -> files.openTestInputs(phase).orElseThrow(
                () -> new UserFacingException(null, "competition.error.code-needs-test-inputs")), solution, ownerId, modelId, out);
    }

    /** {@link #predict} on test images: decoded a batch at a time, in the ZIP's order. */
    private void predictImages(Path zip, Solution solution, long ownerId, long modelId, OutputStream out) throws IOException {
        ModelRuns.Run run = runs.open(modelId, ownerId);
        Metric.PredictionKind kind = solution.metric().predictionKind();
        int positive = positiveClass(run.model(), kind);
        try (IdImageArchive images = files.openImages(zip)) {
            CSVPrinter csv = header(out);
            List<String> ids = images.ids();
            List<BufferedImage> pictures = new ArrayList<>(IMAGE_BATCH);
            for (int start = 0; start < ids.size(); start += IMAGE_BATCH) {
                int end = Math.min(ids.size(), start + IMAGE_BATCH);
                pictures.clear();
                for (int i = start; i < end; i++) {
                    pictures.add(images.decode(i));
                }
                write(csv, ids.subList(start, end), run.predictImages(pictures), kind, positive);
            }
            csv.flush();
        }
    }

    /** A predictions file's printer, its header written. */
    private static CSVPrinter header(OutputStream out) throws IOException {
        CSVPrinter csv = new CSVPrinter(new OutputStreamWriter(out, StandardCharsets.UTF_8), FORMAT);
        csv.printRecord(SubmissionValidator.ID, SubmissionValidator.PREDICTION);
        return csv;
    }

    /**
     * For a binary target the positive class sorts last (as the solution has it); the model's own order may differ.
     * -1 unless the metric scores probabilities.
     */
    private static int positiveClass(ModelRuns.RunnableModel model, Metric.PredictionKind kind) {
        return kind == Metric.PredictionKind.PROBABILITY
                ? model.classes().indexOf(model.classes().stream().sorted().toList().get(1)) : -1;
    }

    private void predict(Supplier<InputStream> testInputs, Solution solution, long ownerId, long modelId, OutputStream out)
            throws IOException {
        ModelRuns.Run run = runs.open(modelId, ownerId);
        List<String> columns = run.model().inputColumns();
        Metric.PredictionKind kind = solution.metric().predictionKind();
        int positive = positiveClass(run.model(), kind);
        try (InputStream in = testInputs.get();
             Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
             CSVParser rows = CSVFormat.RFC4180.builder().setHeader().get().parse(reader)) {
            CSVPrinter csv = header(out);
            List<String> ids = new ArrayList<>(BATCH);
            List<Map<String, String>> records = new ArrayList<>(BATCH);
            for (CSVRecord row : rows) {
                ids.add(row.get(SubmissionValidator.ID));
                Map<String, String> record = new LinkedHashMap<>();
                for (String column : columns) {
                    record.put(column, row.get(column));
                }
                records.add(record);
                if (records.size() == BATCH) {
                    write(csv, ids, run.predict(records), kind, positive);
                    ids.clear();
                    records.clear();
                }
            }
            if (!records.isEmpty()) {
                write(csv, ids, run.predict(records), kind, positive);
            }
            csv.flush();
        }
    }

    private static void write(CSVPrinter csv, List<String> ids, List<ModelRuns.Predicted> predictions,
                              Metric.PredictionKind kind, int positive) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("the run went past the time limit");
        }
        for (int i = 0; i < ids.size(); i++) {
            ModelRuns.Predicted p = predictions.get(i);
            csv.printRecord(ids.get(i), switch (kind) {
                case LABEL -> p.label();
                case PROBABILITY -> Double.toString(p.probabilities().get(positive));
                case NUMBER -> Double.toString(p.value());
            });
        }
    }

    /** The header of the test inputs. */
    private static List<String> testInputColumns(Supplier<InputStream> testInputs) {
        try (InputStream in = testInputs.get()) {
            return header(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The column names of a CSV file with a header, such as the test inputs. */
    static List<String> header(InputStream csv) throws IOException {
        Reader reader = new InputStreamReader(csv, StandardCharsets.UTF_8);
        try (CSVParser rows = CSVFormat.RFC4180.builder().setHeader().get().parse(reader)) {
            return rows.getHeaderNames();
        }
    }
}
