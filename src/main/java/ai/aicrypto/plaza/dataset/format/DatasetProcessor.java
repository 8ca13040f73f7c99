package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Validates and profiles an uploaded dataset, then converts it to safetensors shards. Both steps stream the
 * files, so memory stays bounded whatever the file size. Thread-safe (holds only configuration).
 */
public final class DatasetProcessor {

    private final int previewSize;
    private final long maxShardBytes;
    private final DatasetLimits limits;

    /** With the {@link DatasetLimits#DEFAULT default limits}. */
    public DatasetProcessor(int previewSize, long maxShardBytes) {
        this(previewSize, maxShardBytes, DatasetLimits.DEFAULT);
    }

    /**
     * @param previewSize   maximum number of preview records
     * @param maxShardBytes maximum size of one shard file
     * @param limits        what one upload may expand to
     */
    public DatasetProcessor(int previewSize, long maxShardBytes, DatasetLimits limits) {
        if (previewSize < 0 || maxShardBytes <= 0) {
            throw new IllegalArgumentException("previewSize must be >= 0 and maxShardBytes > 0");
        }
        this.previewSize = previewSize;
        this.maxShardBytes = maxShardBytes;
        this.limits = limits;
    }

    /**
     * Reads only what tells at once whether the files can be a dataset: a table's header (column count and names, the
     * label and text columns), an IDX pair's headers (counts, image size, the caps), a ZIP's directory (names, entries,
     * declared sizes). Cheap enough for the uploader to wait for; {@link #profile} checks all the rest.
     *
     * @throws DatasetFormatException when the files cannot be a dataset (the key says why)
     */
    public void inspect(DatasetSource source) throws IOException {
        switch (source.format()) {
            case IDX -> IdxExamples.open(source, limits).close();
            case IMAGE_FOLDERS -> ImageFolderArchive.open(source, limits).close();
            default -> CsvProfiler.inspect(source, limits);
        }
    }

    /**
     * Reads the whole dataset once.
     *
     * @param previewSeed seed of the preview sample: the same file and seed give the same preview
     * @throws DatasetFormatException when the data is invalid (the key says why)
     */
    public DatasetProfile profile(DatasetSource source, long previewSeed) throws IOException {
        DatasetProfile profile = switch (source.format()) {
            case IDX -> IdxProfiler.profile(source, previewSize, previewSeed, limits);
            case IMAGE_FOLDERS -> ImageFolderProfiler.profile(source, previewSize, previewSeed, limits);
            default -> CsvProfiler.profile(source, previewSize, previewSeed, limits);
        };
        // Before any shard is written: what the preprocessing would write (rows without a label are skipped).
        long labeledRows = profile.rowCount() - profile.column(profile.labelColumn()).missing();
        limits.checkShardBytes(labeledRows, profile.featureCount(), profile.regression());
        return profile;
    }

    /**
     * Writes {@code shard-00000.safetensors}, ... into {@code outDir} (created if needed).
     *
     * @param profile the result of {@link #profile} for the same files
     */
    public List<Shard> preprocess(DatasetSource source, DatasetProfile profile, Path outDir) throws IOException {
        return switch (source.format()) {
            case IDX -> IdxPreprocessor.preprocess(source, profile, outDir, maxShardBytes, limits);
            case IMAGE_FOLDERS -> ImageFolderPreprocessor.preprocess(source, profile, outDir, maxShardBytes, limits);
            default -> CsvPreprocessor.preprocess(source, profile, outDir, maxShardBytes, limits);
        };
    }
}
