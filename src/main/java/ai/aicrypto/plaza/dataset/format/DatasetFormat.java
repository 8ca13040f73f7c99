package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** The accepted upload formats; see the {@link ai.aicrypto.plaza.dataset.format package docs}. */
public enum DatasetFormat {
    CSV, TSV, IDX, JSONL,
    /** A ZIP of one folder of PNG/JPEG images per class ({@link ImageFolderArchive}). */
    IMAGE_FOLDERS;

    private static final int SNIFF_BYTES = 8192;

    /**
     * Decides the format from the content first (IDX magic, possibly inside gzip; a ZIP's signature in a {@code .zip} file) and then from the original
     * file name (a trailing {@code .gz} is ignored).
     *
     * @throws DatasetFormatException {@code dataset.error.unsupported-type} for unknown or binary files,
     *                                {@code dataset.error.idx-bad-magic} for an IDX-named file with wrong magic
     */
    public static DatasetFormat detect(Path file, String originalFileName) throws IOException {
        byte[] head = InputFiles.head(file, SNIFF_BYTES);
        if (IdxHeader.hasMagic(head)) {
            return IDX;
        }
        String name = originalFileName == null ? "" : originalFileName.toLowerCase(Locale.ROOT).strip();
        if (isZip(head) && name.endsWith(".zip")) {
            return IMAGE_FOLDERS; // other ZIP-based files (.xlsx, .docx, a renamed .csv) stay unsupported
        }
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.contains(".idx") || name.endsWith("-ubyte")) {
            throw new DatasetFormatException(ErrorKeys.IDX_BAD_MAGIC);
        }
        if (isBinary(head)) {
            throw new DatasetFormatException(ErrorKeys.UNSUPPORTED_TYPE);
        }
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".tsv") || name.endsWith(".tab")) {
            return TSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        throw new DatasetFormatException(ErrorKeys.UNSUPPORTED_TYPE);
    }

    // A local file header, or the end record of an empty archive.
    private static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K'
                && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
    }

    // Text files never contain NUL; binary formats almost always do within the first few KiB.
    private static boolean isBinary(byte[] head) {
        for (byte b : head) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }
}
