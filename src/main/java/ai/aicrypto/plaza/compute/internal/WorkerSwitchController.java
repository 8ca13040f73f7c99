package ai.aicrypto.plaza.compute.internal;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The multitasking switch: a worker reports each time it suspends or resumes its idle command, so
 * that the provider's dashboard can show it. The worker is the token's; no body field names one.
 */
@RestController
class WorkerSwitchController {

    private static final int MAX_COMMAND_LENGTH = 500;

    private final WorkerRegistry workers;

    WorkerSwitchController(WorkerRegistry workers) {
        this.workers = workers;
    }

    /** 204 when stored; 400 for a state other than SUSPENDED or RESUMED, or no command. */
    @PostMapping("/api/worker/v1/switches")
    ResponseEntity<Void> report(@AuthenticationPrincipal WorkerIdentity.Worker worker, @RequestBody Switch report) {
        WorkerRegistry.IdleSwitch state;
        try {
            state = WorkerRegistry.IdleSwitch.valueOf(String.valueOf(report.state()));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().build();
        }
        if (report.command() == null || report.command().isBlank() || report.command().length() > MAX_COMMAND_LENGTH) {
            return ResponseEntity.badRequest().build();
        }
        workers.recordSwitch(worker.id(), state, programOf(report.command()));
        return ResponseEntity.noContent().build();
    }

    /**
     * The program's name only: workers send no more since review L15, but an older one sends the whole command line,
     * whose arguments may hold the provider's pool account or password. Those are never stored.
     */
    static String programOf(String command) {
        String first = command.strip().split("\\s+", 2)[0];
        return first.substring(first.lastIndexOf('/') + 1);
    }

    /** @param state SUSPENDED (a job was leased) or RESUMED (the job ended); @param command the idle command's program */
    record Switch(String state, String command) {
    }
}
