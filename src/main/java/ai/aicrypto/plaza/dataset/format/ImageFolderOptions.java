package ai.aicrypto.plaza.dataset.format;

import java.util.Locale;

/**
 * What the uploader of a ZIP of image folders chose: every image is resized to a {@code size x size} square and kept
 * grey (1 channel) or in colour (3 channels). Null leaves the choice to the data: the median shorter side of the
 * images (at least {@value #MIN_SIZE}, at most {@value #DEFAULT_MAX_SIZE}), and colour when any image is in colour.
 */
public record ImageFolderOptions(Integer size, Integer channels) {

    public static final int MIN_SIZE = 8, MAX_SIZE = 256, DEFAULT_MAX_SIZE = 64;
    public static final ImageFolderOptions FROM_DATA = new ImageFolderOptions(null, null);
    /** The form's colour choices. */
    public static final String GRAYSCALE = "grayscale", RGB = "rgb";

    public ImageFolderOptions {
        if (size != null && (size < MIN_SIZE || size > MAX_SIZE)) {
            throw new DatasetFormatException(ErrorKeys.IMAGE_SIZE, MIN_SIZE, MAX_SIZE);
        }
        if (channels != null && channels != 1 && channels != 3) {
            throw new IllegalArgumentException("an image has 1 or 3 channels");
        }
    }

    /**
     * From the upload form's fields: a size in pixels and {@link #GRAYSCALE} or {@link #RGB}, either blank for "from the
     * data".
     *
     * @throws DatasetFormatException for a size that is no whole number in range, or an unknown colour choice
     */
    public static ImageFolderOptions parse(String size, String colour) {
        Integer side = null;
        if (size != null && !size.isBlank()) {
            try {
                side = Integer.valueOf(size.strip());
            } catch (NumberFormatException e) {
                throw new DatasetFormatException(ErrorKeys.IMAGE_SIZE, MIN_SIZE, MAX_SIZE);
            }
        }
        String choice = colour == null ? "" : colour.strip().toLowerCase(Locale.ROOT);
        Integer channels = switch (choice) {
            case "" -> null;
            case GRAYSCALE -> 1;
            case RGB -> 3;
            default -> throw new DatasetFormatException(ErrorKeys.IMAGE_COLOUR);
        };
        return new ImageFolderOptions(side, channels);
    }
}
