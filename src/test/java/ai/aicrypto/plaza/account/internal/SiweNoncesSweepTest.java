package ai.aicrypto.plaza.account.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Spent sign-in nonces are kept until they expire, and forgotten by a sweep off the sign-in's path. */
class SiweNoncesSweepTest extends IntegrationTest {

    @Autowired
    SiweNonces nonces;
    @Autowired
    JdbcClient jdbc;

    @Test
    void theSweepForgetsExpiredSpentNoncesAndKeepsTheOthers() {
        nonces.forgetExpired(); // as the scheduler may have a moment ago: its lease is then held 30 s at least
        Instant now = Instant.now();
        jdbc.sql("INSERT INTO siwe_spent_nonces (nonce, expires_at) VALUES ('sweepExpired00001', ?), ('sweepLive00000001', ?)")
                .param(Timestamp.from(now.minus(Duration.ofMinutes(1)))).param(Timestamp.from(now.plus(SiweNonces.LIFETIME)))
                .update();

        // The sweep runs under a lease: one the scheduler took a moment ago (it holds it 30 s at least) would skip this
        // run. Ended here (ShedLock updates a lease row it has seen, so the row must stay).
        jdbc.sql("UPDATE shedlock SET lock_until = TIMESTAMP '2000-01-01 00:00' WHERE name = 'siwe-spent-nonces-sweep'").update();
        nonces.forgetExpired();

        List<String> kept = jdbc.sql("SELECT nonce FROM siwe_spent_nonces WHERE nonce LIKE 'sweep%'").query(String.class).list();
        assertThat(kept).containsExactly("sweepLive00000001");
    }
}
