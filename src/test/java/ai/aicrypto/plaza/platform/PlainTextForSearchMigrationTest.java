package ai.aicrypto.plaza.platform;

import java.sql.Connection;

import javax.sql.DataSource;

import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.migration.Context;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** V14 on rows written before V13, as they were: Markdown only, no plain text beside it. */
class PlainTextForSearchMigrationTest extends IntegrationTest {

    @Autowired
    private DataSource dataSource;
    @Autowired
    private TestUsers users;
    @Autowired
    private V14__PlainTextForSearch migration;

    @Test
    void fillsInThePlainTextOfEveryDescription() throws Exception {
        long owner = users.member().id();
        long marked = listing(owner, "Photos of **sneakers**,\n\n- coats\n- [hats](https://example.org)");
        long none = listing(owner, "");
        try (Connection connection = dataSource.getConnection()) {
            migration.migrate(new Context() {
                @Override
                public Configuration getConfiguration() {
                    return null;
                }

                @Override
                public Connection getConnection() {
                    return connection;
                }
            });
        }
        // As the app writes it (MarkdownRenderer.toPlainText): no emphasis marks, one line.
        assertThat(plainText(marked)).isEqualTo("Photos of sneakers, - coats - \"hats\" (https://example.org)");
        assertThat(plainText(none)).isEmpty();
    }

    private long listing(long owner, String description) {
        return jdbc.sql("""
                        INSERT INTO listings (kind, owner_id, title, description, license, price_aic, status)
                        VALUES ('DATASET', ?, 'Migrated listing', ?, 'MIT', 0, 'PUBLISHED') RETURNING id""")
                .params(owner, description).query(Long.class).single();
    }

    private String plainText(long id) {
        return jdbc.sql("SELECT description_text FROM listings WHERE id = ?").param(id).query(String.class).list().get(0);
    }
}
