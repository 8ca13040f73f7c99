package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Review M6: every statement of the pool has a cap, a visitor's search and listing statements a short one, and
 * migrations none. A visitor's search that runs out of time gets a page that says so.
 */
@TestPropertySource(properties = "plaza.db.visitor-statement-timeout=200ms")
class StatementTimeoutTest extends IntegrationTest {

    @Autowired
    DataSource dataSource;
    @Autowired
    Flyway flyway;
    @Autowired
    StatementTimeouts timeouts;
    @Autowired
    TransactionTemplate transaction;
    @Autowired
    TestUsers users;

    @Test
    void thePoolsConnectionsAreCappedAndMigrationsAreNot() throws Exception {
        try (Connection pooled = dataSource.getConnection()) {
            assertThat(show(pooled)).isEqualTo("1min");
        }
        assertThat(flyway.getConfiguration().getDataSource()).isNotSameAs(dataSource);
        try (Connection migrations = flyway.getConfiguration().getDataSource().getConnection()) {
            assertThat(show(migrations)).isEqualTo("0");
        }
    }

    @Test
    void visitorsGetTheShortTimeoutForTheirTransactionOnly() {
        AccountPrincipal member = users.member();
        assertThat(timeoutIn(() -> timeouts.limitForVisitors())).isEqualTo("200ms");
        SecurityContextHolder.getContext().setAuthentication(
                UsernamePasswordAuthenticationToken.authenticated(member, null, member.getAuthorities()));
        try {
            assertThat(timeoutIn(() -> timeouts.limitForVisitors())).isEqualTo("1min");
        } finally {
            SecurityContextHolder.clearContext();
        }
        assertThat(timeoutIn(() -> timeouts.lift())).isEqualTo("0");
        assertThat(timeoutIn(() -> { })).as("back to the cap after each transaction").isEqualTo("1min");
    }

    /** The listings are locked by a migration-like change, so a visitor's search waits on it until its timeout. */
    @Test
    void aVisitorsSearchThatRunsOutOfTimeSaysSo() throws Exception {
        try (Connection locker = dataSource.getConnection()) {
            locker.setAutoCommit(false);
            try (Statement lock = locker.createStatement()) {
                lock.execute("LOCK TABLE listings IN ACCESS EXCLUSIVE MODE");
            }
            for (String page : new String[] {"/search?q=iris", "/datasets"}) {
                var response = mvc.perform(get(page).header("Accept-Language", "en")).andReturn().getResponse();
                assertThat(response.getStatus()).as(page).isEqualTo(503);
                assertThat(response.getContentAsString()).as(page)
                        .contains("This took too long to answer. Try fewer or more specific words, or sign in");
            }
            locker.rollback();
        }
        assertThat(mvc.perform(get("/search?q=iris").with(user(users.member()))).andReturn().getResponse().getStatus())
                .isEqualTo(200);
    }

    private String timeoutIn(Runnable set) {
        return transaction.execute(status -> {
            set.run();
            return jdbc.sql("SHOW statement_timeout").query(String.class).single();
        });
    }

    private static String show(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SHOW statement_timeout")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
