package ai.aicrypto.plaza.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * A user's row locked (FOR UPDATE) on a connection of its own until closed: whatever inserts a row that refers to the
 * user (a listing, a competition) waits there, after the blobs it stored first, as if its instance had died just then.
 */
public final class HeldUserRow implements AutoCloseable {

    private final Connection connection;

    private HeldUserRow(Connection connection) {
        this.connection = connection;
    }

    public static HeldUserRow lock(DataSource dataSource, long userId) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement("SELECT id FROM users WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, userId);
                lock.executeQuery().close();
            }
            return new HeldUserRow(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.rollback();
        } finally {
            connection.close();
        }
    }
}
