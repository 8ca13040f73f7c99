package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import ai.aicrypto.plaza.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

class LiveUpdatesTest extends IntegrationTest {

    @Autowired
    LiveUpdates live;

    @Autowired
    TransactionTemplate tx;

    @Test
    void deliversCommittedEventsOnlyAndOnlyToTheirTopic() throws Exception {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        try (var a = live.listen("test:a", (event, data) -> heard.add("a " + event + " " + data));
             var b = live.listen("test:b", (event, data) -> heard.add("b " + event + " " + data))) {
            tx.executeWithoutResult(s -> {
                live.publish("test:a", "rolledBack", "1");
                s.setRollbackOnly();
            });
            tx.executeWithoutResult(s -> live.publish("test:a", "changed", "{\"id\":7}"));
            live.publish("test:b", "other", "x\ny");

            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("a changed {\"id\":7}");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("b other x\ny");
            assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
        assertThat(live.subscribers("test:a")).isZero();
    }

    @Test
    void aListenerThatFailsIsDropped() throws Exception {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        live.listen("test:c", (event, data) -> {
            throw new IllegalStateException("browser gone");
        });
        try (var ok = live.listen("test:c", (event, data) -> heard.add(event))) {
            live.publish("test:c", "first", "");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(live.subscribers("test:c")).isEqualTo(1);
        }
    }

    @Test
    void refusesTopicsThatCouldBreakThePayloadFormat() {
        assertThatThrownBy(() -> live.publish("a\nb", "e", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> live.publish("t", "e", "x".repeat(8000))).isInstanceOf(IllegalArgumentException.class);
    }
}
