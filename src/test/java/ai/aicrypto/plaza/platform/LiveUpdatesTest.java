package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import ai.aicrypto.plaza.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.MessageSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.support.TransactionTemplate;

class LiveUpdatesTest extends IntegrationTest {

    @Autowired
    LiveUpdates live;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    DataSource dataSource;

    @Autowired
    MessageSource messages;

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
    void aTopicIsForgottenWithItsLastSubscription() {
        int before = live.topics();
        var first = live.listen("test:finished-job", (event, data) -> { });
        var second = live.listen("test:finished-job", (event, data) -> { });
        assertThat(live.topics()).isEqualTo(before + 1);
        first.close();
        second.close();
        second.close();
        assertThat(live.topics()).isEqualTo(before);
    }

    /** Review M8: streams are capped per address, per member and in all (an instance of its own, with small caps). */
    @Test
    void streamsAreCappedPerAddressPerMemberAndInAll() {
        var capped = new LiveUpdates(dataSource, jdbc, 4, 2, 1);
        capped.subscribe("test:caps", "status", from("198.51.100.1"));
        capped.subscribe("test:caps", "status", from("198.51.100.1"));
        assertThatThrownBy(() -> capped.subscribe("test:caps", "status", from("198.51.100.1")))
                .isInstanceOfSatisfying(LiveUpdates.TooManyStreams.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.messageKey()).isEqualTo("live.error.too-many-streams-here");
                });

        SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken("member-a", null, "ROLE_MEMBER"));
        try {
            capped.subscribe("test:caps", "status", from("198.51.100.2"));
            assertThatThrownBy(() -> capped.subscribe("test:caps", "status", from("198.51.100.3")))
                    .as("the member's one stream, from any address")
                    .isInstanceOfSatisfying(LiveUpdates.TooManyStreams.class, e -> assertThat(e.status()).isEqualTo(429));
        } finally {
            SecurityContextHolder.clearContext();
        }

        capped.subscribe("test:caps", "status", from("198.51.100.4"));
        assertThat(capped.streams()).isEqualTo(4);
        assertThatThrownBy(() -> capped.subscribe("test:caps", "status", from("198.51.100.5")))
                .isInstanceOfSatisfying(LiveUpdates.TooManyStreams.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.messageKey()).isEqualTo("live.error.too-many-streams");
                });
        assertThat(messages.getMessage("live.error.too-many-streams-here", null, Locale.KOREAN))
                .isEqualTo("주소나 계정에서 열린 실시간 페이지가 너무 많습니다. 몇 개를 닫으세요. 다시 연결되면 이 페이지가 갱신됩니다.");
    }

    /**
     * A stop and a start at once (a test context paused and resumed) listen on one connection: the thread of before,
     * still waiting on its connection when the start came, ends instead of listening beside the new one.
     */
    @Test
    void aStopAndAStartAtOnceHearEachEventOnce() throws Exception {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        try (var subscription = live.listen("test:restart", (event, data) -> heard.add(event))) {
            live.stop();
            live.start();
            String event = null;
            for (int attempt = 0; event == null && attempt < 30; attempt++) {
                live.publish("test:restart", "listening", "");
                event = heard.poll(1, TimeUnit.SECONDS);
            }
            assertThat(event).isEqualTo("listening");
            // Past the second the thread of before waits on its connection: by then it listens too, or it has ended.
            Thread.sleep(1_500);
            heard.clear();
            live.publish("test:restart", "once", "");
            assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo("once");
            assertThat(heard.poll(2, TimeUnit.SECONDS)).as("heard once, not by two listening threads").isNull();
            assertThat(jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN plaza_live%' "
                    + "OR query LIKE 'SELECT 1 AS live_updates_check%'").query(Integer.class).single())
                    .as("the connection of before was given back no longer listening").isEqualTo(1);
        }
    }

    /** The listening connection is replaced when it dies (here: killed by PostgreSQL), and events flow again. */
    @Test
    void aLostListeningConnectionIsOpenedAgain() throws Exception {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        try (var subscription = live.listen("test:reconnect", (event, data) -> heard.add(event))) {
            int killed = jdbc.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    + "WHERE query LIKE 'LISTEN plaza_live%' OR query LIKE 'SELECT 1 AS live_updates_check%'").query(Integer.class).single();
            assertThat(killed).isEqualTo(1);
            String event = null;
            for (int attempt = 0; event == null && attempt < 30; attempt++) {
                live.publish("test:reconnect", "again", ""); // lost while nobody listens, heard once listening again
                event = heard.poll(1, TimeUnit.SECONDS);
            }
            assertThat(event).isEqualTo("again");
        }
    }

    private static MockHttpServletRequest from(String address) {
        var request = new MockHttpServletRequest("GET", "/competitions/x/live");
        request.setRemoteAddr(address);
        return request;
    }

    @Test
    void refusesTopicsThatCouldBreakThePayloadFormat() {
        assertThatThrownBy(() -> live.publish("a\nb", "e", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> live.publish("t", "e", "x".repeat(8000))).isInstanceOf(IllegalArgumentException.class);
    }
}
