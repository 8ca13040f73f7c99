package ai.aicrypto.plaza.dataset.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plain SQL over {@code dataset_imports}. Every change of a row's status is conditional on its still being
 * PROCESSING, so that of two deciders (the importing instance, the job that finds abandoned imports) one wins.
 */
@Repository
class DatasetImportRepository {

    private static final String COLUMNS = """
            id, owner_id, title, file_name, status, step, bytes_done, bytes_total, rows_done, listing_id, reason_key,
            reason_args::text AS reason_args, created_at""";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    DatasetImportRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    long insert(long ownerId, String title, String fileName) {
        return jdbc.sql("INSERT INTO dataset_imports (owner_id, title, file_name) VALUES (?, ?, ?) RETURNING id")
                .params(ownerId, title, fileName).query(Long.class).single();
    }

    Optional<DatasetImport> find(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM dataset_imports WHERE id = ?").param(id).query(this::row).optional();
    }

    /** The member's imports of the last week that did not become a dataset (yet): under way or refused. */
    List<DatasetImport> unfinishedOf(long ownerId, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + """
                         FROM dataset_imports
                        WHERE owner_id = ? AND status <> 'READY' AND created_at > now() - interval '7 days'
                        ORDER BY created_at DESC, id DESC LIMIT ?""")
                .params(ownerId, limit).query(this::row).list();
    }

    private DatasetImport row(ResultSet rs, int n) throws SQLException {
        return new DatasetImport(rs.getLong("id"), rs.getLong("owner_id"), rs.getString("title"),
                rs.getString("file_name"), DatasetImport.Status.valueOf(rs.getString("status")),
                DatasetImport.Step.valueOf(rs.getString("step")), rs.getLong("bytes_done"), rs.getLong("bytes_total"),
                (Long) rs.getObject("rows_done"), (Long) rs.getObject("listing_id"), rs.getString("reason_key"),
                args(rs.getString("reason_args")), rs.getTimestamp("created_at").toInstant());
    }

    /** Serialises the starting of one member's imports until the transaction ends, so the per-member cap holds. */
    void lockImportsOf(long ownerId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('dataset-imports:' || ?, 0))")
                .param(ownerId).query((rs, n) -> 1).single();
    }

    /** Imports the member has under way. */
    int processingOf(long ownerId) {
        return jdbc.sql("SELECT count(*) FROM dataset_imports WHERE owner_id = ? AND status = 'PROCESSING'")
                .param(ownerId).query(Integer.class).single();
    }

    /** @return false when the import is no longer PROCESSING */
    boolean progress(long id, DatasetImport.Step step, long bytesDone, long bytesTotal, Long rowsDone) {
        return jdbc.sql("""
                        UPDATE dataset_imports SET step = ?, bytes_done = ?, bytes_total = ?,
                               rows_done = coalesce(?, rows_done), heartbeat_at = now()
                        WHERE id = ? AND status = 'PROCESSING'""")
                .params(step.name(), bytesDone, bytesTotal, rowsDone, id).update() == 1;
    }

    /**
     * An UPDATE, not a read: one made while a decider's transaction holds the row waits for it and sees its outcome.
     *
     * @return false when the import is no longer PROCESSING
     */
    boolean stillProcessing(long id) {
        return jdbc.sql("UPDATE dataset_imports SET heartbeat_at = now() WHERE id = ? AND status = 'PROCESSING'")
                .param(id).update() == 1;
    }

    /** @return false when the import is no longer PROCESSING (the blob is then not recorded) */
    boolean recordBlob(long id, String blobKey) {
        return jdbc.sql("""
                        UPDATE dataset_imports SET blob_keys = array_append(blob_keys, ?), heartbeat_at = now()
                        WHERE id = ? AND status = 'PROCESSING'""")
                .params(blobKey, id).update() == 1;
    }

    /** @return false when the import is no longer PROCESSING */
    boolean markReady(long id, long listingId) {
        return jdbc.sql("""
                        UPDATE dataset_imports SET status = 'READY', listing_id = ?, finished_at = now(), blob_keys = '{}'
                        WHERE id = ? AND status = 'PROCESSING'""")
                .params(listingId, id).update() == 1;
    }

    /** @return the blobs it had written, or empty when the import is no longer PROCESSING */
    Optional<List<String>> markRefused(long id, String reasonKey, List<Object> reasonArgs) {
        return jdbc.sql("""
                        UPDATE dataset_imports SET status = 'REFUSED', reason_key = ?, reason_args = CAST(? AS jsonb),
                               finished_at = now()
                        WHERE id = ? AND status = 'PROCESSING' RETURNING blob_keys""")
                .params(reasonKey, json.writeValueAsString(reasonArgs), id)
                .query((rs, n) -> Arrays.asList((String[]) rs.getArray("blob_keys").getArray()))
                .optional();
    }

    /** Tells the others that this instance still holds these imports (working on them or queued). */
    void touch(Collection<Long> ids) {
        if (!ids.isEmpty()) {
            jdbc.sql("UPDATE dataset_imports SET heartbeat_at = now() WHERE status = 'PROCESSING' AND id = ANY(?)")
                    .param(ids.toArray(Long[]::new)).update();
        }
    }

    /** PROCESSING imports no instance has touched for {@code after}, by the database's clock. */
    List<Long> abandoned(Duration after) {
        return jdbc.sql("""
                        SELECT id FROM dataset_imports
                        WHERE status = 'PROCESSING' AND heartbeat_at < now() - make_interval(secs => ?)
                        ORDER BY id LIMIT 100""")
                .param(after.toSeconds()).query(Long.class).list();
    }

    private List<Object> args(String stored) {
        return stored == null ? List.of() : json.readValue(stored, new TypeReference<List<Object>>() {
        });
    }
}
