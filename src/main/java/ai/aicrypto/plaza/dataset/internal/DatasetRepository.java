package ai.aicrypto.plaza.dataset.internal;

import java.util.List;
import java.util.Set;
import java.util.Optional;

import ai.aicrypto.plaza.dataset.TrainableDataset;
import ai.aicrypto.plaza.dataset.format.DatasetProfile;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Plain SQL over {@code datasets} and {@code dataset_blobs}; the profile is kept as JSONB. */
@Repository
class DatasetRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    DatasetRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(StoredDataset d) {
        jdbc.sql("""
                INSERT INTO datasets (listing_id, format, original_name, label_column, row_count, feature_count,
                                      raw_bytes, profile, wrapped_data_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?)""")
                .params(d.listingId(), d.format(), d.originalName(), d.labelColumn(), d.rowCount(), d.featureCount(),
                        d.rawBytes(), json.writeValueAsString(d.profile()), d.wrappedDataKey())
                .update();
        for (StoredDataset.BlobRow b : d.blobs()) {
            jdbc.sql("INSERT INTO dataset_blobs (dataset_id, role, seq, blob_key, bytes, rows) VALUES (?, ?, ?, ?, ?, ?)")
                    .params(d.listingId(), b.role(), b.seq(), b.blobKey(), b.bytes(), b.rows())
                    .update();
        }
    }

    Optional<StoredDataset> find(long listingId) {
        List<StoredDataset.BlobRow> blobs = jdbc.sql("""
                        SELECT role, seq, blob_key, bytes, rows FROM dataset_blobs WHERE dataset_id = ? ORDER BY role, seq""")
                .param(listingId)
                .query((rs, n) -> new StoredDataset.BlobRow(rs.getString("role"), rs.getInt("seq"), rs.getString("blob_key"),
                        rs.getLong("bytes"), (Long) rs.getObject("rows")))
                .list();
        return jdbc.sql("""
                        SELECT listing_id, format, original_name, label_column, row_count, feature_count, raw_bytes,
                               profile::text AS profile, wrapped_data_key
                        FROM datasets WHERE listing_id = ?""")
                .param(listingId)
                .query((rs, n) -> new StoredDataset(rs.getLong("listing_id"), rs.getString("format"),
                        rs.getString("original_name"), rs.getString("label_column"), rs.getLong("row_count"),
                        rs.getInt("feature_count"), rs.getLong("raw_bytes"),
                        json.readValue(rs.getString("profile"), DatasetProfile.class), rs.getBytes("wrapped_data_key"),
                        blobs))
                .optional();
    }

    /** What a member's datasets take in the blob store: raw files and shards, as stored (encrypted). */
    long storedBytesOf(long ownerId) {
        return jdbc.sql("""
                        SELECT coalesce(sum(b.bytes), 0) FROM dataset_blobs b JOIN listings l ON l.id = b.dataset_id
                        WHERE l.owner_id = ?""")
                .param(ownerId).query(Long.class).single();
    }

    /**
     * Serialises the storing of one member's datasets until the transaction ends, so that two uploads at once
     * cannot both fit the quota that only one of them fits.
     */
    void lockStorageOf(long ownerId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('dataset-storage:' || ?, 0))")
                .param(ownerId).query((rs, n) -> 1).single();
    }

    boolean unvettedComputeAllowed(long listingId) {
        return jdbc.sql("SELECT unvetted_compute_allowed FROM datasets WHERE listing_id = ?").param(listingId)
                .query(Boolean.class).optional().orElse(false);
    }

    void allowUnvettedCompute(long listingId, boolean allowed) {
        jdbc.sql("UPDATE datasets SET unvetted_compute_allowed = ? WHERE listing_id = ?").params(allowed, listingId).update();
    }

    /**
     * Datasets someone might train on: their own and the published ones. Whether they may is the
     * market's word (owner or licensee, {@link ai.aicrypto.plaza.catalog.ListingAccess}).
     */
    /** The owner's, the published and those granted (a competition's training dataset, published or not). */
    private static final String CANDIDATE_FOR_TRAINING = "(l.owner_id = :user OR l.status = 'PUBLISHED' OR l.id = ANY(:granted))";
    private static final int MAX_CANDIDATES = 1000;

    List<TrainableDataset> trainingCandidates(long userId, Long onlyId, Set<Long> granted) {
        return jdbc.sql("""
                        SELECT l.id, l.title, l.owner_id, l.price_aic, d.row_count, d.feature_count, d.unvetted_compute_allowed
                        FROM datasets d JOIN listings l ON l.id = d.listing_id
                        WHERE %s AND (CAST(:only AS bigint) IS NULL OR l.id = :only)
                        ORDER BY l.owner_id = :user DESC, l.created_at DESC, l.id DESC
                        LIMIT :limit""".formatted(CANDIDATE_FOR_TRAINING))
                .param("user", userId).param("only", onlyId).param("limit", MAX_CANDIDATES)
                .param("granted", granted.toArray(Long[]::new))
                .query((rs, n) -> new TrainableDataset(rs.getLong("id"), rs.getString("title"), rs.getLong("owner_id"),
                        rs.getBigDecimal("price_aic"), rs.getLong("row_count"), rs.getInt("feature_count"),
                        rs.getBoolean("unvetted_compute_allowed")))
                .list();
    }
}
