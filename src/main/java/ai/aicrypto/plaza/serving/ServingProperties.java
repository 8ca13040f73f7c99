package ai.aicrypto.plaza.serving;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The inference gateway's limits.
 *
 * @param fallback    what a call does when no serving worker is online (or every one tried failed): {@code in-process}
 *                    answers it on the plaza's CPU, as a fresh machine without workers must; {@code none} answers 503
 * @param callTimeout how long one attempt on a worker may take, queueing included; past it the call is tried once on
 *                    another worker
 * @param pollTimeout how long a worker's long poll is held open when there is nothing to run
 * @param queueRows   the most instances waiting for one worker; past it a call goes to another, or is answered 429
 * @param shadowShare the share of calls served by a worker that are also run on a worker of another provider, after the
 *                    caller has the answer, and compared (0 to 1)
 */
@ConfigurationProperties("plaza.serving")
public record ServingProperties(Fallback fallback, Duration callTimeout, Duration pollTimeout, int queueRows, Double shadowShare) {

    public enum Fallback { IN_PROCESS, NONE }

    public ServingProperties {
        fallback = fallback == null ? Fallback.IN_PROCESS : fallback;
        callTimeout = callTimeout == null ? Duration.ofSeconds(10) : callTimeout;
        pollTimeout = pollTimeout == null ? Duration.ofSeconds(15) : pollTimeout;
        queueRows = queueRows == 0 ? 2048 : queueRows;
        shadowShare = shadowShare == null ? 0.05 : shadowShare;
        if (!(shadowShare >= 0 && shadowShare <= 1)) {
            throw new IllegalArgumentException("plaza.serving.shadow-share must be 0 to 1");
        }
        if (callTimeout.isNegative() || callTimeout.isZero() || pollTimeout.isNegative() || pollTimeout.isZero()
                || pollTimeout.compareTo(Duration.ofSeconds(25)) > 0) {
            throw new IllegalArgumentException("plaza.serving.call-timeout must be positive and poll-timeout from 1 ms to 25 s");
        }
        if (queueRows < 1 || queueRows > 1_000_000) {
            throw new IllegalArgumentException("plaza.serving.queue-rows must be 1 to 1000000");
        }
    }
}
