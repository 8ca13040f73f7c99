package ai.aicrypto.plaza.worker.plaza;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;

/**
 * A job leased to this worker, as the plaza hands it out: the model card and hyperparameters, the dataset's training
 * shards (encrypted; SHA-256 of each, so a cached copy is reused) and the key that decrypts them.
 *
 * @param audit null for an ordinary job; for an audit, the epoch of another worker's job to train again
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Lease(long id, long datasetId, long modelId, String hyperparametersJson, int attempt, String leaseExpiresAt,
                    String cardJson, String shardKey, List<ShardRef> shards, Audit audit) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ShardRef(int seq, String sha256, long bytes, long rows) {
    }

    /** Train epoch {@code epoch} (>= 1) from the audited job's checkpoint {@code epoch - 1}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Audit(int epoch) {
    }

    public Instant expiresAt() {
        return Instant.parse(leaseExpiresAt);
    }
}
