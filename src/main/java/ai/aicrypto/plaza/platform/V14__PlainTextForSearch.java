package ai.aicrypto.plaza.platform;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.springframework.stereotype.Component;

/**
 * Fills in the plain texts that V13 added beside the Markdown of listings and competitions, with
 * the renderer the app writes them with from now on. A Flyway migration in Java (named as Flyway
 * wants it), registered as a bean so that Spring Boot hands it to Flyway.
 */
@Component
class V14__PlainTextForSearch extends BaseJavaMigration {

    private static final int BATCH = 500;

    private final MarkdownRenderer markdown;

    V14__PlainTextForSearch(MarkdownRenderer markdown) {
        this.markdown = markdown;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        fill(connection, "listings", "description", "description_text");
        fill(connection, "competitions", "overview", "overview_text");
    }

    /** In batches by id, so that a large table is never held in memory at once. */
    private void fill(Connection connection, String table, String markdownColumn, String textColumn) throws SQLException {
        String select = "SELECT id, " + markdownColumn + " FROM " + table + " WHERE id > ? AND " + markdownColumn
                + " <> '' ORDER BY id LIMIT " + BATCH;
        String update = "UPDATE " + table + " SET " + textColumn + " = ? WHERE id = ?";
        try (PreparedStatement read = connection.prepareStatement(select);
             PreparedStatement write = connection.prepareStatement(update)) {
            long after = 0;
            int rows;
            do {
                rows = 0;
                read.setLong(1, after);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getLong(1);
                        write.setString(1, markdown.toPlainText(rs.getString(2)));
                        write.setLong(2, after);
                        write.addBatch();
                        rows++;
                    }
                }
                write.executeBatch();
            } while (rows == BATCH);
        }
    }
}
