package ai.aicrypto.plaza.platform;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Statement timeouts beside the pool's cap ({@link DatabaseProperties#statementTimeout()}), each for the rest of the
 * caller's transaction only ({@code SET LOCAL}), so the connection goes back to the pool as it came.
 */
@Component
public class StatementTimeouts {

    private final JdbcClient jdbc;
    private final DatabaseProperties db;

    StatementTimeouts(JdbcClient jdbc, DatabaseProperties db) {
        this.jdbc = jdbc;
        this.db = db;
    }

    /**
     * Search and listing statements for a visitor who is not signed in end after the short visitor timeout: an
     * anonymous query must not hold a connection and a core for long (review M6). A cancelled statement is a
     * {@link org.springframework.dao.QueryTimeoutException}.
     */
    public void limitForVisitors() {
        Authentication who = SecurityContextHolder.getContext().getAuthentication();
        if (who == null || who instanceof AnonymousAuthenticationToken || !who.isAuthenticated()) {
            set(db.visitorStatementTimeout().toMillis());
        }
    }

    /** For background work whose statements may rightly run past the cap (a long lock wait, a large delete). */
    public void lift() {
        set(0);
    }

    private void set(long millis) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("A statement timeout is set for a transaction; none is active");
        }
        jdbc.sql("SELECT set_config('statement_timeout', ?, true)").param(String.valueOf(millis)).query(String.class).single();
    }
}
