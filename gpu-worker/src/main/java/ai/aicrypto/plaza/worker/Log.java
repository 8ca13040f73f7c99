package ai.aicrypto.plaza.worker;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** One-line log messages on stderr (the worker has no logging framework). */
public final class Log {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Log() {
    }

    public static void info(String message) {
        System.err.println(LocalTime.now().format(TIME) + " [gpu-worker] " + message);
    }
}
