package ai.aicrypto.plaza.dataset;

import java.time.Duration;

import ai.aicrypto.plaza.dataset.format.DatasetLimits;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * @param maxUploadSize        largest accepted upload (default 2 GiB)
 * @param previewSize          records shown to anyone as a preview
 * @param maxShardBytes        upper bound of one preprocessed shard
 * @param maxDecompressedSize  what a gzip-compressed upload may expand to, counted while reading (default 4 x
 *                             the upload limit)
 * @param maxColumns           columns of a CSV/TSV file (default 10,000)
 * @param maxRows              records of one dataset (default 100,000,000)
 * @param maxPreprocessedSize  all safetensors shards of one dataset together (default 8 x the upload limit)
 * @param storageQuota         what one member's datasets may take in the blob store together, raw files and
 *                             shards (default 10 x the upload limit)
 * @param importThreads        imports (profile, preprocess, encrypt) one instance runs at once (default 2, 1 to 64)
 * @param importQueue          uploads that may wait for an import thread (default 8, 0 to 10,000); past them an
 *                             upload is refused (503, try again later) with nothing stored
 * @param importsPerMember     imports one member may have under way at once (default 2, 1 to 100)
 * @param importAbandonedAfter an import whose instance has not touched it for this long was abandoned (its
 *                             instance died) and is refused (default 5 minutes; instances touch theirs every minute)
 * @param textBuckets          buckets of a new dataset's text n-gram ids (default 65,536; see DatasetLimits#textBuckets)
 */
@ConfigurationProperties("plaza.dataset")
public record DatasetProperties(DataSize maxUploadSize, int previewSize, DataSize maxShardBytes,
                                DataSize maxDecompressedSize, Integer maxColumns, Long maxRows,
                                DataSize maxPreprocessedSize, DataSize storageQuota, Integer importThreads,
                                Integer importQueue, Integer importsPerMember, Duration importAbandonedAfter,
                                Integer textBuckets) {

    public DatasetProperties {
        maxUploadSize = maxUploadSize == null ? DataSize.ofGigabytes(2) : maxUploadSize;
        long upload = maxUploadSize.toBytes();
        maxDecompressedSize = maxDecompressedSize == null ? DataSize.ofBytes(4 * upload) : maxDecompressedSize;
        maxColumns = maxColumns == null ? 10_000 : maxColumns;
        maxRows = maxRows == null ? 100_000_000L : maxRows;
        maxPreprocessedSize = maxPreprocessedSize == null ? DataSize.ofBytes(8 * upload) : maxPreprocessedSize;
        storageQuota = storageQuota == null ? DataSize.ofBytes(10 * upload) : storageQuota;
        importThreads = importThreads == null ? 2 : importThreads;
        importQueue = importQueue == null ? 8 : importQueue;
        importsPerMember = importsPerMember == null ? 2 : importsPerMember;
        importAbandonedAfter = importAbandonedAfter == null ? Duration.ofMinutes(5) : importAbandonedAfter;
        if (importThreads < 1 || importThreads > 64 || importQueue < 0 || importQueue > 10_000 || importsPerMember < 1
                || importsPerMember > 100 || importAbandonedAfter.compareTo(Duration.ofMinutes(2)) < 0) {
            throw new IllegalArgumentException("plaza.dataset.import-threads (1 to 64), import-queue (0 to 10,000), "
                    + "imports-per-member (1 to 100) and import-abandoned-after (at least 2 minutes: instances touch "
                    + "their imports every minute); got " + importThreads + ", " + importQueue + ", "
                    + importsPerMember + ", " + importAbandonedAfter);
        }
        textBuckets = textBuckets == null ? Preprocessing.TEXT_BUCKETS : textBuckets;
    }

    public DatasetLimits limits() {
        return new DatasetLimits(maxDecompressedSize.toBytes(), maxColumns, maxRows, maxPreprocessedSize.toBytes(), textBuckets);
    }
}
