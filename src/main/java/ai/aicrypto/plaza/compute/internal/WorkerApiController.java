package ai.aicrypto.plaza.compute.internal;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.platform.NotFoundException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import ai.aicrypto.plaza.model.card.CardFieldError;
import ai.aicrypto.plaza.model.card.InvalidModelCardException;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker API (JSON). Every job route acts only on a job leased to the calling worker: a job
 * it never held answers 404, as if it did not exist; one it held but holds no longer (expired,
 * cancelled, finished) answers 409, and the worker abandons it.
 */
@RestController
@RequestMapping("/api/worker/v1")
class WorkerApiController {

    private final WorkerRegistry workers;
    private final JobQueue jobs;
    private final TrainingSplits splits;
    private final JobResults results;
    private final Models models;
    private final EscrowSettlements escrow;
    private final EpochCheckpoints checkpoints;
    private final JsonMapper json;
    private final ModelCardValidator cardValidator = new ModelCardValidator();
    /** Cards do not change once published, and every lease hands one out. */
    private final Cache<Long, String> cards = Caffeine.newBuilder().maximumSize(1_000).build();

    WorkerApiController(WorkerRegistry workers, JobQueue jobs, TrainingSplits splits, JobResults results, Models models,
                        EscrowSettlements escrow, EpochCheckpoints checkpoints, JsonMapper json) {
        this.escrow = escrow;
        this.checkpoints = checkpoints;
        this.json = json;
        this.workers = workers;
        this.jobs = jobs;
        this.splits = splits;
        this.results = results;
        this.models = models;
    }

    @PostMapping("/heartbeat")
    Map<String, Object> heartbeat(@AuthenticationPrincipal WorkerIdentity.Worker worker, @RequestBody Heartbeat beat) {
        WorkerReports.check(beat);
        workers.heartbeat(worker.id(), beat);
        return Map.of("workerId", worker.id());
    }

    /**
     * The next job, or 204 when there is none for this worker. With it come the model card, the
     * training shards to download (an id of this worker's copy of each, so a cached copy is reused)
     * and this worker's key that decrypts them (see {@link TrainingSplits}).
     */
    @PostMapping("/lease")
    ResponseEntity<Lease> lease(@AuthenticationPrincipal WorkerIdentity.Worker worker, HttpServletRequest request) {
        var leased = jobs.lease(worker, WorkerAddress.of(request));
        if (leased.isEmpty()) {
            return ResponseEntity.noContent().build();
        }
        JobQueue.LeasedJob job = leased.get();
        escrow.leased(job.id());
        try {
            TrainingSplits.WorkerShards shards = splits.forWorker(job.datasetId(), worker.id());
            jobs.leasedOnGeneration(job.id(), job.attempt(), shards.generation());
            return ResponseEntity.ok(new Lease(job.id(), job.datasetId(), job.modelId(), job.hyperparametersJson(), job.attempt(),
                    job.leaseExpiresAt(), cards.get(job.modelId(), models::cardJson), Base64.getEncoder().encodeToString(shards.key()),
                    shards.shards(), job.auditEpoch() == null ? null : new Audit(job.auditEpoch()),
                    job.auditEpoch() == null && job.parentModelId() != null));
        } catch (RuntimeException e) {
            jobs.fail(worker.id(), job.id(), "The dataset could not be prepared for training: " + e.getMessage());
            throw e;
        }
    }

    /**
     * A training shard of the leased job's dataset, encrypted under this worker's key of the lease (the same bytes
     * on every download). When the dataset's split was rotated after the lease, that key is dead: the job goes back
     * to the queue (it counts as an attempt) and the answer is 409, so the worker abandons it.
     */
    @GetMapping(value = "/jobs/{id}/shards/{seq}", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    void shard(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id, @PathVariable int seq,
               HttpServletResponse response) throws IOException {
        JobQueue.LeasedSplit leased = jobs.leasedSplit(worker.id(), id);
        var shard = splits.trainingShard(leased.datasetId(), leased.splitGeneration(), worker.id(), seq);
        if (shard.isEmpty()) {
            jobs.fail(worker.id(), id, "The dataset's training shards were encrypted under new keys after this lease");
            throw new LeaseLostException(id);
        }
        // Encrypted for the worker as it is sent (review M12): the shard is never held a third time, encrypted.
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        response.setContentLengthLong(shard.get().bytes());
        shard.get().writeTo(response.getOutputStream());
    }

    /**
     * A fine-tuning job's parent weights, decrypted from storage and encrypted for the worker as they are sent, under
     * its key of the lease like the shards (see {@link TrainingSplits#writeParentWeights}); 404 for a job without one.
     */
    @GetMapping(value = "/jobs/{id}/parent-weights", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    void parentWeights(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id,
                       HttpServletResponse response) throws IOException {
        JobQueue.LeasedSplit leased = jobs.leasedSplit(worker.id(), id);
        long parent = jobs.leasedParent(worker.id(), id).orElseThrow(NotFoundException::new);
        try (InputStream weights = models.parentWeights(parent)) {
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            if (!splits.writeParentWeights(leased.datasetId(), leased.splitGeneration(), worker.id(), id, weights,
                    response.getOutputStream())) {
                jobs.fail(worker.id(), id, "The dataset's training shards were encrypted under new keys after this lease");
                throw new LeaseLostException(id);
            }
        }
    }

    @PostMapping("/jobs/{id}/renew")
    Map<String, Instant> renew(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id) {
        return Map.of("leaseExpiresAt", jobs.renew(worker.id(), id));
    }

    @PostMapping("/jobs/{id}/progress")
    ResponseEntity<Void> progress(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id, @RequestBody Progress p) {
        WorkerReports.check(p);
        jobs.progress(worker.id(), id, p.epoch(), p.loss(), p.accuracy(), p.samplesPerSecond());
        return ResponseEntity.noContent().build();
    }

    /**
     * The trained weights as the request body (at most plaza.compute.max-weights-size): safetensors of a network, or
     * XGBoost's JSON model of trees.
     */
    @PutMapping(value = "/jobs/{id}/weights", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<Void> weights(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id,
                                 HttpServletRequest request) throws IOException {
        results.uploadWeights(worker.id(), id, request.getInputStream());
        return ResponseEntity.noContent().build();
    }

    /**
     * The worker's commitment after its weights: the SHA-256 of its checkpoint after every epoch (index =
     * epoch, 0 = the initial state). The answer names the checkpoints to upload before completing: none, or
     * those before and after the epoch drawn for an audit.
     */
    @PostMapping("/jobs/{id}/checkpoints")
    Map<String, List<Integer>> commitCheckpoints(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id,
                                                 @RequestBody Commitment commitment) {
        JobQueue.LeasedTraining training = jobs.leasedTraining(worker.id(), id);
        ModelCard card = cardValidator.parse(cards.get(training.modelId(), models::cardJson));
        if (card.isTrees()) {
            throw new EpochCheckpoints.CheckpointRefusedException(true, "A tree model's rounds are not audited: "
                    + "complete the job after uploading the model");
        }
        int epochs = EpochCheckpoints.epochs(training.hyperparametersJson(), card, json);
        return Map.of("upload", checkpoints.commit(worker.id(), id, commitment.sha256(), epochs,
                () -> results.belowBaseline(worker.id(), id)));
    }

    /** A checkpoint the commitment's answer asked for (the gpu-worker's safetensors checkpoint file). */
    @PutMapping(value = "/jobs/{id}/checkpoints/{epoch}", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<Void> checkpoint(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id,
                                    @PathVariable int epoch, HttpServletRequest request) throws IOException {
        if (epoch < 0 || epoch > EpochCheckpoints.MAX_EPOCHS) {
            throw new EpochCheckpoints.CheckpointRefusedException(false, "No such epoch: " + epoch);
        }
        checkpoints.upload(worker.id(), id, epoch, request.getInputStream());
        return ResponseEntity.noContent().build();
    }

    /** For an audit: the original's checkpoint before the epoch to train again. */
    @GetMapping(value = "/jobs/{id}/checkpoints/start", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<InputStreamResource> auditStart(@AuthenticationPrincipal WorkerIdentity.Worker worker,
                                                   @PathVariable long id) throws IOException {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(new InputStreamResource(checkpoints.openStart(worker.id(), id)));
    }

    /**
     * Completes the job with the metrics the worker claims ({@code accuracy}, {@code loss}); the
     * answer is the plaza's verdict after measuring the uploaded weights on the held-out split.
     */
    @PostMapping("/jobs/{id}/complete")
    JobResults.Verdict complete(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id,
                                @RequestBody Map<String, Object> metrics) throws IOException {
        WorkerReports.checkMetrics(metrics);
        return results.complete(worker.id(), id, metrics);
    }

    @PostMapping("/jobs/{id}/fail")
    ResponseEntity<Void> fail(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id, @RequestBody Failure failure) {
        jobs.fail(worker.id(), id, WorkerReports.reason(failure));
        return ResponseEntity.noContent().build();
    }

    @ExceptionHandler(JobResults.EvaluationsBusyException.class)
    ResponseEntity<Map<String, String>> evaluationsBusy(JobResults.EvaluationsBusyException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                .body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(WorkerReports.RefusedException.class)
    ResponseEntity<Map<String, String>> refused(WorkerReports.RefusedException e) {
        return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(LeaseLostException.class)
    ResponseEntity<Map<String, String>> leaseLost(LeaseLostException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(EpochCheckpoints.CheckpointRefusedException.class)
    ResponseEntity<Map<String, String>> checkpointRefused(EpochCheckpoints.CheckpointRefusedException e) {
        return ResponseEntity.status(e.conflict ? HttpStatus.CONFLICT : HttpStatus.UNPROCESSABLE_CONTENT)
                .body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(JobResults.NoWeightsException.class)
    ResponseEntity<Map<String, String>> noWeights(JobResults.NoWeightsException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(JobResults.WeightsTooLargeException.class)
    ResponseEntity<Map<String, String>> tooLarge(JobResults.WeightsTooLargeException e) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(InvalidModelCardException.class)
    ResponseEntity<Map<String, Object>> invalidWeights(InvalidModelCardException e) {
        return ResponseEntity.unprocessableContent().body(Map.of("error", "the weights file is refused",
                "details", e.errors().stream().map(CardFieldError::toString).toList()));
    }

    /**
     * @param measuredScore  the start-up benchmark's headline figure (GFLOP/s of SGEMM),
     * @param benchmark      its full report, one line per device, and
     * @param benchmarkScore its training throughput (samples per second on the benchmark's MLP
     *                       784-256-128-10): the offer's measured score, which price estimates use
     * @param families       the model families it can train on its host, each with the engine that trains it (see
     *                       {@link ModelFamilies}); null from a worker that does not report them
     */
    record Heartbeat(String engine, int gpuMemoryMb, List<Long> cachedDatasets, Double measuredScore, String benchmark,
                     Double benchmarkScore, Map<String, String> families) {
    }

    /** @param audit for an audit job, the epoch to train again from {@code GET .../checkpoints/start}; else null */
    /** @param parentWeights whether training starts from a parent model's weights ({@code GET .../parent-weights}) */
    record Lease(long id, long datasetId, long modelId, String hyperparametersJson, int attempt, Instant leaseExpiresAt,
                 String cardJson, String shardKey, List<TrainingSplits.ShardRef> shards, Audit audit, boolean parentWeights) {
    }

    record Audit(int epoch) {
    }

    record Commitment(List<String> sha256) {
    }

    record Progress(int epoch, Double loss, Double accuracy, Double samplesPerSecond) {
    }

    record Failure(String reason) {
    }
}
