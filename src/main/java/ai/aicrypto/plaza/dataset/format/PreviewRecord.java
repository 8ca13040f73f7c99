package ai.aicrypto.plaza.dataset.format;

import java.util.List;

/**
 * One sampled example.
 *
 * @param rowIndex     0-based index of the example (CSV/TSV: data row after the header)
 * @param values       CSV/TSV: the values of all columns in header order (long values cut to 200 chars);
 *                     IDX: empty, the example is the image
 * @param label        the label value, null when missing
 * @param imageDataUri IDX: {@code data:image/png;base64,...} of the grayscale image; null for CSV/TSV
 */
public record PreviewRecord(long rowIndex, List<String> values, String label, String imageDataUri) {
}
