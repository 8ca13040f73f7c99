package ai.aicrypto.plaza.dataset.format;

import java.util.List;

/**
 * One sampled example.
 *
 * @param rowIndex     0-based index of the example (CSV/TSV: data row after the header)
 * @param values       CSV/TSV: the values of all columns in header order (long values cut to 200 chars);
 *                     images: empty, the example is the image
 * @param label        the label value (image folders: the class name), null when missing
 * @param imageDataUri images: {@code data:image/png;base64,...} of the image as the model sees it (image folders:
 *                     resized, grey or RGB); null for CSV/TSV
 */
public record PreviewRecord(long rowIndex, List<String> values, String label, String imageDataUri) {
}
