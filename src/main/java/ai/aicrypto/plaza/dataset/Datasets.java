package ai.aicrypto.plaza.dataset;

import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.dataset.format.Preprocessing;

/** The dataset module's API. */
public interface Datasets {

    /**
     * Validates, profiles, preprocesses and stores a dataset with its listing, all or nothing: on
     * any failure no blob, row or key is left behind. The caller keeps ownership of the input files.
     * Runs on the caller's thread (the demo data, the platform's own imports), as the same import an
     * upload gets: recorded PROCESSING, then READY or REFUSED with the reason.
     *
     * @return the id of the new listing
     * @throws ai.aicrypto.plaza.platform.UserFacingException for input the user must fix
     */
    long importDataset(long ownerId, DatasetUpload upload);

    /**
     * SHA-256 of the stored dataset (of its first raw file as stored, encrypted): what the asset
     * token records as its content hash. Empty for an unknown dataset.
     */
    Optional<byte[]> contentHash(long listingId);

    /** The datasets {@code userId} may train models on, theirs first, then the newest. */
    List<TrainableDataset> trainableBy(long userId);

    /** The dataset if {@code userId} may train models on it, else empty (whether or not it exists). */
    Optional<TrainableDataset> trainableBy(long userId, long datasetId);

    /**
     * How the dataset's records became its features: what a model trained on it carries to accept raw input.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when there is no such dataset
     */
    Preprocessing preprocessing(long datasetId);

    /** The names of a dataset's raw files as uploaded (one, or an IDX pair of images and labels) and their total size. */
    record RawFiles(List<String> names, long bytes) {
    }

    /**
     * The raw files of a dataset.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException for an unknown dataset
     */
    RawFiles rawFiles(long datasetId);

    /**
     * Decrypts raw file {@code seq} (0, or 1 for the labels of an IDX pair) as uploaded, for the platform's own use:
     * callers decide who may receive it (a competition gives its training data to its participants).
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when there is no such file
     */
    java.io.InputStream openRaw(long datasetId, int seq);

    /** How many preprocessed shards the dataset has (see {@code dataset.format} for their layout). */
    int shardCount(long datasetId);

    /**
     * Decrypts one preprocessed shard, for the platform's own use (training splits): callers
     * decide who may receive what is derived from it.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException when there is no such shard
     */
    java.io.InputStream openShard(long datasetId, int seq) throws java.io.IOException;
}
