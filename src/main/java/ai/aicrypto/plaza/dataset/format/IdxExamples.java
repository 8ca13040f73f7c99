package ai.aicrypto.plaza.dataset.format;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipException;

/** Reads an IDX images file (n x rows x cols) and its labels file (n) in lockstep, validating both. */
final class IdxExamples implements Closeable {

    /** Caps the memory of one image (and of the preview, which keeps a few images). */
    static final int MAX_PIXELS = 1 << 20;

    private final DataInputStream images;
    private final DataInputStream labels;
    private final int count;
    private final int rows;
    private final int cols;
    private int read;

    private IdxExamples(DataInputStream images, DataInputStream labels) throws IOException {
        this.images = images;
        this.labels = labels;
        IdxHeader imageHeader = readHeader(images, 3);
        IdxHeader labelHeader = readHeader(labels, 1);
        if (imageHeader.count() != labelHeader.count()) {
            throw new DatasetFormatException(ErrorKeys.IDX_COUNT_MISMATCH, imageHeader.count(), labelHeader.count());
        }
        this.count = imageHeader.count();
        this.rows = imageHeader.dims()[1];
        this.cols = imageHeader.dims()[2];
        if (count == 0 || rows == 0 || cols == 0) {
            throw new DatasetFormatException(ErrorKeys.EMPTY);
        }
        if ((long) rows * cols > MAX_PIXELS) {
            throw new DatasetFormatException(ErrorKeys.IDX_IMAGE_TOO_LARGE, rows, cols, MAX_PIXELS);
        }
    }

    static IdxExamples open(DatasetSource source, DatasetLimits limits) throws IOException {
        if (source.labels() == null) {
            throw new DatasetFormatException(ErrorKeys.IDX_LABELS_REQUIRED);
        }
        DataInputStream images = open(source.primary(), limits, source.progress());
        try {
            DataInputStream labels = open(source.labels(), limits, source.progress());
            try {
                IdxExamples examples = new IdxExamples(images, labels);
                // Checked from the headers, before any pixel is read or any shard written.
                limits.checkRows(examples.count);
                limits.checkShardBytes(examples.count, examples.pixels(), false);
                return examples;
            } catch (IOException | RuntimeException e) {
                labels.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            images.close();
            throw e;
        }
    }

    private static DataInputStream open(Path file, DatasetLimits limits, ReadProgress progress) throws IOException {
        return new DataInputStream(InputFiles.open(file, limits.maxDecompressedBytes(), progress));
    }

    private static IdxHeader readHeader(DataInputStream in, int dims) throws IOException {
        try {
            return IdxHeader.read(in, dims);
        } catch (EOFException | ZipException e) {
            throw new DatasetFormatException(ErrorKeys.IDX_TRUNCATED);
        }
    }

    int count() {
        return count;
    }

    int rows() {
        return rows;
    }

    int cols() {
        return cols;
    }

    int pixels() {
        return rows * cols;
    }

    /**
     * Reads the next image into {@code pixels} (length {@link #pixels()}) and returns its label (0-255), or -1
     * after the last example, once both files are confirmed to have no trailing data.
     */
    int next(byte[] pixels) throws IOException {
        try {
            if (read == count) {
                if (images.read() >= 0 || labels.read() >= 0) {
                    throw new DatasetFormatException(ErrorKeys.IDX_TRAILING_DATA);
                }
                return -1;
            }
            images.readFully(pixels);
            int label = labels.readUnsignedByte();
            read++;
            return label;
        } catch (EOFException | ZipException e) {
            throw new DatasetFormatException(ErrorKeys.IDX_TRUNCATED);
        }
    }

    @Override
    public void close() throws IOException {
        try (labels) {
            images.close();
        }
    }
}
