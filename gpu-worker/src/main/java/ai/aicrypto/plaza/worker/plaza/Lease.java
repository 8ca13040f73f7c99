package ai.aicrypto.plaza.worker.plaza;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;

/**
 * A job leased to this worker, as the plaza hands it out: the model card and hyperparameters, the dataset's training
 * shards and this worker's key that decrypts them. The plaza encrypts the shards for each worker: this worker always
 * receives the same bytes for a shard until the dataset's shards are re-encrypted (a new key and new content ids).
 *
 * @param audit null for an ordinary job; for an audit, the epoch of another worker's job to train again
 * @param parentWeights whether the job fine-tunes a parent model: its weights come from {@code GET jobs/{id}/parent-weights},
 *                      encrypted like the shards under {@code shardKey}, and training starts from them
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Lease(long id, long datasetId, long modelId, String hyperparametersJson, int attempt, String leaseExpiresAt,
                    String cardJson, String shardKey, List<ShardRef> shards, Audit audit, boolean parentWeights) {

    /** @param contentId names this worker's copy of the shard (64 hex digits), the same in every lease that hands it out */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ShardRef(int seq, String contentId, long bytes, long rows) {
    }

    /** Train epoch {@code epoch} (>= 1) from the audited job's checkpoint {@code epoch - 1}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Audit(int epoch) {
    }

    public Instant expiresAt() {
        return Instant.parse(leaseExpiresAt);
    }
}
