package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.Log;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * The whitepaper's multitasking switch: a background program (a miner, say) that runs while the worker has no job.
 * It is started with {@code setsid /bin/sh -c} in a process group of its own, so that one {@code kill} suspends
 * (SIGSTOP) or resumes (SIGCONT) the whole tree at once: signalling a list of pids instead races with children
 * that start or end meanwhile. Each switch is reported to the plaza through {@link Reporter}.
 */
public final class IdleCommand implements AutoCloseable {

    public enum State { SUSPENDED, RESUMED }

    @FunctionalInterface
    public interface Reporter {
        /** @param program the idle command's program name, never its arguments */
        void switched(State state, String program);
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
        // The JVM's child is never a group leader, so setsid makes a new group in place: group id = this pid.
        process = new ProcessBuilder("setsid", "/bin/sh", "-c", command).inheritIO().start();
        Log.info("idle command started (pid " + process.pid() + "): " + command);
    }

    /** Stops the idle command's whole process group until {@link #resume()}; returns once the signal is sent. */
    public synchronized void suspend() throws IOException {
        if (suspended || !running()) return;
        signalGroup("STOP");
        suspended = true;
        reporter.switched(State.SUSPENDED, program(command));
    }

    public synchronized void resume() throws IOException {
        if (!suspended || !running()) return;
        signalGroup("CONT");
        suspended = false;
        reporter.switched(State.RESUMED, program(command));
    }

    /**
     * What the plaza is told the idle command is: its program's name only ("xmrig" of "/opt/xmrig --user WALLET
     * --pass SECRET"). Its arguments may hold a pool account or password, which are the provider's (review L15).
     */
    static String program(String command) {
        String first = command.strip().split("\\s+", 2)[0];
        return first.substring(first.lastIndexOf('/') + 1);
    }

    public synchronized long pid() {
        return process.pid();
    }

    private boolean running() {
        return process != null && process.isAlive();
    }

    /** Fails if the group is gone (its leader has ended and so has every member). */
    private void signalGroup(String signal) throws IOException {
        try {
            int rc = new ProcessBuilder("kill", "-" + signal, "--", "-" + process.pid()).inheritIO().start().waitFor();
            if (rc != 0) throw new IOException("kill -" + signal + " of process group " + process.pid() + " exited with " + rc);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Ends the idle command and its group: TERM, then CONT (if suspended: a stopped process acts on TERM only once
     * it runs again), and KILL for whatever has not ended within a second. A survivor would keep running in the
     * background and hold the worker's inherited stdout open.
     */
    @Override
    public synchronized void close() {
        if (process == null) return;
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        try {
            signalGroup("TERM");
            if (suspended) signalGroup("CONT");
        } catch (IOException e) {
            Log.info("could not signal the idle command to stop: " + e.getMessage());
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
