package ai.aicrypto.plaza.demo;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.platform.DatabaseProperties;
import org.junit.jupiter.api.Test;

/** Demo accounts (published password) only where nobody else can reach them: embedded database, local chain. */
class DemoDataTest {

    private static final DatabaseProperties EMBEDDED = new DatabaseProperties(null, null, null, 0, true, Duration.ofSeconds(60), Duration.ofSeconds(3));

    @Test
    void demoDataIsAllowedOnTheEmbeddedDatabaseAndALocalChain() {
        assertThatCode(() -> DemoData.refuseUnlessLocal(EMBEDDED, chain(31337))).doesNotThrowAnyException();
    }

    @Test
    void anExternalDatabaseOrAnotherChainStopsTheStartWithTheReason() {
        var external = new DatabaseProperties("jdbc:postgresql://db.example.org/plaza", "plaza", "secret", 0, true, Duration.ofSeconds(60), Duration.ofSeconds(3));
        assertThatThrownBy(() -> DemoData.refuseUnlessLocal(external, chain(31337)))
                .hasMessageContaining("PLAZA_DEMO_DATA").hasMessageContaining("PLAZA_DB_URL").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> DemoData.refuseUnlessLocal(EMBEDDED, chain(1)))
                .hasMessageContaining("PLAZA_DEMO_DATA").hasMessageContaining("chain id 1");
    }

    private static ChainProperties chain(long id) {
        return new ChainProperties(id, null, null, null, null, null, null, 2, 12, null, null, null, null);
    }
}
