package ai.aicrypto.plaza.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.ServingFleet;
import ai.aicrypto.plaza.serving.ServingInstancesProperties;
import ai.aicrypto.plaza.serving.ServingProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's trust boundary between workers, with two workers polling in-process: a worker's answers count only
 * for calls handed to it, and it may load only models it was sent a call of. A worker that knew or guessed another's
 * call id (they are sequential) must not be able to answer that call, nor be paid for it.
 */
class ServingGatewayTest {

    private static final ServingFleet.ServingWorker HONEST = new ServingFleet.ServingWorker(1, 10, BigDecimal.ONE);
    private static final ServingFleet.ServingWorker FORGER = new ServingFleet.ServingWorker(2, 20, BigDecimal.ONE);
    private static final InferenceGateway.ModelToServe MODEL = new InferenceGateway.ModelToServe("model-7-weights", 7, "{}", 2, 2,
            () -> new ByteArrayInputStream(new byte[0]));

    private static final ServingProperties PROPERTIES =
            new ServingProperties(ServingProperties.Fallback.IN_PROCESS, Duration.ofSeconds(5), Duration.ofSeconds(5), 0, 0.0);
    /** One instance: no shared secret, so no other instance is asked. */
    private final ServingGateway gateway = new ServingGateway(PROPERTIES,
            new ServingPeers(new ServingInstancesProperties(null, null, null), PROPERTIES, null, null, Clock.systemUTC()),
            event -> { }, null, new SimpleMeterRegistry());

    @AfterEach
    void stop() {
        gateway.stop();
    }

    @Test
    void anotherWorkersAnswerToACallItWasNotHandedIsIgnoredAndTheHandedWorkerAnswers() throws Exception {
        CompletableFuture<List<ServingFleet.Assignment>> honestPoll = gateway.poll(HONEST, poll(List.of()));
        CompletableFuture<Optional<InferenceGateway.Served>> call =
                CompletableFuture.supplyAsync(() -> gateway.run(MODEL, new float[] {1, 2}, 1, BigDecimal.ONE));
        ServingFleet.Assignment handed = honestPoll.get(5, TimeUnit.SECONDS).get(0);
        assertThat(handed.model()).isEqualTo(MODEL.key());

        gateway.poll(FORGER, poll(List.of(new ServingFleet.Result(handed.call(), new float[] {99, -99}, 2, 0, null))));
        assertThat(call).as("a forged answer does not finish the call").isNotDone();
        assertThat(gateway.modelFor(FORGER.workerId(), MODEL.key())).as("never sent to the forger").isEmpty();
        assertThat(gateway.modelFor(HONEST.workerId(), MODEL.key())).isPresent();

        gateway.poll(HONEST, poll(List.of(new ServingFleet.Result(handed.call(), new float[] {0.25f, 0.75f}, 2, 0.001, null))));
        InferenceGateway.Served served = call.get(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(served.outputs()).containsExactly(0.25f, 0.75f);
        assertThat(served.workerId()).isEqualTo(HONEST.workerId());
        assertThat(served.providerId()).as("the honest provider is the one paid").isEqualTo(HONEST.providerId());
    }

    /**
     * A poll whose answer does not fit its call is refused whole: the call fails at once (the plaza answers it instead,
     * nothing reaches the caller from the worker), and the worker gets no call until it polls again.
     */
    @Test
    void anAnswerOfTheWrongSizeOrNotFiniteIsRefusedAndTheCallFailsAtOnce() throws Exception {
        // (too few values; a NaN; the model's two classes answered as four values of width 1, which would read as one class)
        List<Map.Entry<float[], Integer>> answers = List.of(Map.entry(new float[] {0.5f, 0.5f}, 2),
                Map.entry(new float[] {0.5f, Float.NaN, 0.5f, 0.5f}, 2), Map.entry(new float[] {0.5f, 0.5f}, 1));
        for (Map.Entry<float[], Integer> wrong : answers) {
            CompletableFuture<List<ServingFleet.Assignment>> poll = gateway.poll(HONEST, poll(List.of()));
            CompletableFuture<Optional<InferenceGateway.Served>> call =
                    CompletableFuture.supplyAsync(() -> gateway.run(MODEL, new float[] {1, 2, 3, 4}, 2, BigDecimal.ONE));
            ServingFleet.Assignment handed = poll.get(5, TimeUnit.SECONDS).get(0);
            assertThatThrownBy(() -> gateway.poll(HONEST, poll(List.of(new ServingFleet.Result(handed.call(), wrong.getKey(),
                    wrong.getValue(), 0, null)))))
                    .isInstanceOf(ServingFleet.RefusedResults.class);
            assertThat(call.get(1, TimeUnit.SECONDS)).as("failed at once, not after the call timeout: the plaza answers").isEmpty();
            assertThat(gateway.servingBound().pricePerGpuSecondAic()).as("no longer online").isEqualByComparingTo("0");
        }
    }

    /** The caller's credit was checked against a price: a dearer worker (one that came online since) is not chosen. */
    @Test
    void aWorkerDearerThanThePriceTheCreditWasCheckedAgainstGetsNoCall() throws Exception {
        ServingFleet.ServingWorker dear = new ServingFleet.ServingWorker(3, 30, new BigDecimal("2"));
        CompletableFuture<List<ServingFleet.Assignment>> poll = gateway.poll(dear, poll(List.of()));
        assertThat(gateway.servingBound().pricePerGpuSecondAic()).isEqualByComparingTo("2");
        assertThat(gateway.run(MODEL, new float[] {1, 2}, 1, BigDecimal.ONE)).as("the plaza answers instead").isEmpty();
        assertThat(poll).as("nothing handed to the dear worker").isNotDone();
    }

    /**
     * Dynamic batching waits for company only while the worker computes: a lone call to an idle worker is handed over at
     * once however long the worker would wait, and calls that arrive while it is busy go together as one batch.
     */
    @Test
    void anIdleWorkerGetsALoneCallAtOnceAndABusyOneGetsTheNextCallsAsOneBatch() throws Exception {
        long longerThanThePoll = 60_000;
        CompletableFuture<List<ServingFleet.Assignment>> idle =
                gateway.poll(HONEST, new ServingFleet.Poll(2, longerThanThePoll, Set.of(), List.of()));
        CompletableFuture<Optional<InferenceGateway.Served>> lone =
                CompletableFuture.supplyAsync(() -> gateway.run(MODEL, new float[] {1, 2}, 1, BigDecimal.ONE));
        List<ServingFleet.Assignment> first = idle.get(4, TimeUnit.SECONDS);
        assertThat(first).hasSize(1);

        CompletableFuture<List<ServingFleet.Assignment>> busy =
                gateway.poll(HONEST, new ServingFleet.Poll(2, longerThanThePoll, Set.of(), List.of()));
        List<CompletableFuture<Optional<InferenceGateway.Served>>> next = List.of(
                CompletableFuture.supplyAsync(() -> gateway.run(MODEL, new float[] {3, 4}, 1, BigDecimal.ONE)),
                CompletableFuture.supplyAsync(() -> gateway.run(MODEL, new float[] {5, 6}, 1, BigDecimal.ONE)));
        List<ServingFleet.Assignment> second = busy.get(4, TimeUnit.SECONDS);
        assertThat(second).as("the first of them waited for the second while the worker was busy").hasSize(2);

        List<ServingFleet.Result> answers = new ArrayList<>();
        for (ServingFleet.Assignment a : List.of(first.get(0), second.get(0), second.get(1))) {
            answers.add(new ServingFleet.Result(a.call(), a.inputs(), 2, 0.001, null)); // the inputs echoed back
        }
        gateway.poll(HONEST, poll(answers));
        assertThat(lone.get(5, TimeUnit.SECONDS).orElseThrow().outputs()).containsExactly(1, 2);
        assertThat(next.get(0).get(5, TimeUnit.SECONDS).orElseThrow().outputs()).containsExactly(3, 4);
        assertThat(next.get(1).get(5, TimeUnit.SECONDS).orElseThrow().outputs()).containsExactly(5, 6);
    }

    private static ServingFleet.Poll poll(List<ServingFleet.Result> results) {
        return new ServingFleet.Poll(1, 0, Set.of(), results);
    }
}
