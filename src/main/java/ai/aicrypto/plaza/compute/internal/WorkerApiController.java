package ai.aicrypto.plaza.compute.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker API (JSON). Every job route acts only on a job leased to the calling worker: any
 * other job answers 404, as if it did not exist.
 */
@RestController
@RequestMapping("/api/worker/v1")
class WorkerApiController {

    private final WorkerRegistry workers;
    private final JobQueue jobs;
    private final JsonMapper json;

    WorkerApiController(WorkerRegistry workers, JobQueue jobs, JsonMapper json) {
        this.workers = workers;
        this.jobs = jobs;
        this.json = json;
    }

    @PostMapping("/heartbeat")
    Map<String, Object> heartbeat(@AuthenticationPrincipal WorkerIdentity.Worker worker, @RequestBody Heartbeat beat) {
        workers.heartbeat(worker.id(), beat.engine(), beat.gpuMemoryMb(), beat.cachedDatasets() == null ? List.of() : beat.cachedDatasets(),
                beat.benchmarkScore());
        return Map.of("workerId", worker.id());
    }

    /** The next job, or 204 when there is none for this worker. */
    @PostMapping("/lease")
    ResponseEntity<JobQueue.LeasedJob> lease(@AuthenticationPrincipal WorkerIdentity.Worker worker) {
        return jobs.lease(worker).map(ResponseEntity::ok).orElse(ResponseEntity.noContent().build());
    }

    @PostMapping("/jobs/{id}/renew")
    Map<String, Instant> renew(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id) {
        return Map.of("leaseExpiresAt", jobs.renew(worker.id(), id));
    }

    @PostMapping("/jobs/{id}/progress")
    ResponseEntity<Void> progress(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id, @RequestBody Progress p) {
        jobs.progress(worker.id(), id, p.epoch(), p.loss(), p.accuracy(), p.samplesPerSecond());
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/jobs/{id}/complete")
    ResponseEntity<Void> complete(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id,
                                  @RequestBody Map<String, Object> metrics) {
        jobs.complete(worker.id(), id, json.writeValueAsString(metrics));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/jobs/{id}/fail")
    ResponseEntity<Void> fail(@AuthenticationPrincipal WorkerIdentity.Worker worker, @PathVariable long id, @RequestBody Failure failure) {
        jobs.fail(worker.id(), id, failure.reason() == null ? "no reason given" : failure.reason());
        return ResponseEntity.noContent().build();
    }

    /** @param benchmarkScore optional: training samples per second on the reference model, measured at start */
    record Heartbeat(String engine, int gpuMemoryMb, List<Long> cachedDatasets, Double benchmarkScore) {
    }

    record Progress(int epoch, Double loss, Double accuracy, Double samplesPerSecond) {
    }

    record Failure(String reason) {
    }
}
