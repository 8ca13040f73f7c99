package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.Log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * The whitepaper's multitasking switch: a background program (a miner, say) that runs while the worker has no job.
 * It is started with {@code /bin/sh -c}, suspended with SIGSTOP on its whole process tree when a job is leased
 * (parent first, so it cannot start new children meanwhile) and resumed with SIGCONT when the job ends (children
 * first). Each switch is reported to the plaza through {@link Reporter}.
 */
public final class IdleCommand implements AutoCloseable {

    public enum State { SUSPENDED, RESUMED }

    @FunctionalInterface
    public interface Reporter {
        void switched(State state, String command);
    }

    private final String command;
    private final Reporter reporter;
    private Process process;
    private boolean suspended;

    public IdleCommand(String command, Reporter reporter) {
        this.command = command;
        this.reporter = reporter;
    }

    public synchronized void start() throws IOException {
        process = new ProcessBuilder("/bin/sh", "-c", command).inheritIO().start();
        Log.info("idle command started (pid " + process.pid() + "): " + command);
    }

    /** Stops the idle command's whole process tree until {@link #resume()}; returns once the signal is sent. */
    public synchronized void suspend() throws IOException {
        if (suspended || !running()) return;
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        tree.addAll(process.descendants().toList());
        signal("STOP", tree);
        suspended = true;
        reporter.switched(State.SUSPENDED, command);
    }

    public synchronized void resume() throws IOException {
        if (!suspended || !running()) return;
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        java.util.Collections.reverse(tree);
        tree.add(process.toHandle());
        signal("CONT", tree);
        suspended = false;
        reporter.switched(State.RESUMED, command);
    }

    public synchronized long pid() {
        return process.pid();
    }

    private boolean running() {
        return process != null && process.isAlive();
    }

    private static void signal(String signal, List<ProcessHandle> processes) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
        processes.stream().filter(ProcessHandle::isAlive).forEach(p -> cmd.add(Long.toString(p.pid())));
        if (cmd.size() == 2) return;
        try {
            int rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
            if (rc != 0) throw new IOException("kill -" + signal + " exited with " + rc);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Ends the idle command and its children: TERM, then CONT (a stopped process acts on TERM only
     * once it runs again), and KILL for whatever has not ended within a second. A survivor would
     * keep running in the background and hold the worker's inherited stdout open.
     */
    @Override
    public synchronized void close() {
        if (process == null) return;
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        try {
            signal("CONT", tree);
        } catch (IOException e) {
            Log.info("could not resume the idle command to let it stop: " + e.getMessage());
        }
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
            }
        }
        suspended = false;
    }
}
