package ai.aicrypto.plaza.worker.plaza;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idle command is stopped (process state T, counter frozen) while suspended and runs again after. */
class IdleCommandTest {

    @TempDir
    Path dir;

    @Test
    void suspendsAndResumesTheWholeProcessTree() throws Exception {
        Path counter = dir.resolve("counter");
        // the loop runs in a child shell, so the tree has two levels
        String command = "sh -c 'i=0; while true; do i=$((i+1)); echo $i > " + counter + "; sleep 0.05; done'";
        List<String> reports = new ArrayList<>();
        try (IdleCommand idle = new IdleCommand(command, (state, cmd) -> reports.add(state + " " + cmd))) {
            idle.start();
            waitUntil(() -> read(counter) > 2);
            ProcessHandle tree = ProcessHandle.of(idle.pid()).orElseThrow();

            idle.suspend();
            // Every process of the tree stops. The loop's short-lived sleeps come and go (and sh may exec the inner
            // shell), so which descendants exist is a matter of timing: those alive must all be stopped. A sleep that ended
            // as the tree stopped stays a zombie (Z) until its stopped shell reaps it: it runs nothing.
            waitUntil(() -> state(idle.pid()) == 'T'
                    && tree.descendants().allMatch(p -> !p.isAlive() || state(p.pid()) == 'T' || state(p.pid()) == 'Z'),
                    () -> "the tree's states: " + idle.pid() + ":" + state(idle.pid()) + " " + tree.descendants()
                            .map(p -> p.pid() + ":" + state(p.pid()) + ":" + p.info().command().orElse("?")).toList());
            long frozen = read(counter);
            assertEquals(frozen, read(counter), "a stopped loop writes nothing");

            idle.resume();
            waitUntil(() -> read(counter) > frozen + 2);
            assertTrue(state(idle.pid()) != 'T');
        }
        assertEquals(List.of("SUSPENDED sh", "RESUMED sh"), reports, "the program's name only, not its arguments");
    }

    @Test
    void thePlazaIsToldTheProgramsNameNeverItsArguments() {
        assertEquals("xmrig", IdleCommand.program("  /opt/miners/xmrig --url pool:3333 --user WALLET --pass SECRET"));
        assertEquals("ethminer", IdleCommand.program("ethminer\t-P stratum://acct.pass@pool"));
        assertEquals("run.sh", IdleCommand.program("./run.sh"));
    }

    private static long read(Path counter) {
        try {
            String s = Files.exists(counter) ? Files.readString(counter).strip() : "";
            return s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (Exception e) {
            return 0;
        }
    }

    /** The process state letter from /proc/PID/stat (T = stopped). */
    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (Exception e) {
            return '?';
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        waitUntil(condition, () -> "");
    }

    /** @param state what the failure says of the state it was left in (CI failed here once without saying) */
    private static void waitUntil(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> state)
            throws InterruptedException {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) Thread.sleep(50);
        assertTrue(condition.getAsBoolean(), () -> "condition not reached within 30 s " + state.get());
    }
}
