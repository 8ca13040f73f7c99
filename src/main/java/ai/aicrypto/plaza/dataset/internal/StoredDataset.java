package ai.aicrypto.plaza.dataset.internal;

import ai.aicrypto.plaza.platform.DataSizes;

import java.util.List;

import ai.aicrypto.plaza.dataset.format.DatasetProfile;

/** A dataset's stored facts: its profile and the encrypted blobs that hold its data. */
record StoredDataset(long listingId, String format, String originalName, String labelColumn, long rowCount,
                     int featureCount, long rawBytes, DatasetProfile profile, byte[] wrappedDataKey,
                     List<BlobRow> blobs) {

    /** Blob roles: the raw upload(s) and the preprocessed shards. */
    static final String RAW = "RAW";
    static final String SHARD = "SHARD";

    /** The raw size for people: bytes, KB, MB or GB with one decimal. */
    public String rawSize() {
        return DataSizes.humanReadable(rawBytes);
    }

    record BlobRow(String role, int seq, String blobKey, long bytes, Long rows) {
    }
}
