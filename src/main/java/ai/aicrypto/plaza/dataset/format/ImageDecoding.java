package ai.aicrypto.plaza.dataset.format;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG and JPEG files (whatever {@code javax.imageio} reads) for datasets and predictions alike: the size is read
 * from the header first, so a small file that claims millions of pixels (a decompression bomb) is refused before its
 * pixels are allocated, and a file the decoder only warns about (a truncated JPEG) counts as broken, not as an image
 * padded with grey.
 */
public final class ImageDecoding {

    /** The most pixels one image may have: 4096 x 4096 (64 MiB once decoded as ARGB). */
    public static final long MAX_PIXELS = 4096L * 4096;
    public static final int MAX_SIDE = 4096;

    private ImageDecoding() {
    }

    /** The image claims more than {@link #MAX_PIXELS} pixels; nothing was decoded. */
    public static final class TooLargeException extends IIOException {

        private final int width, height;

        TooLargeException(int width, int height) {
            super("image of " + width + " x " + height + " pixels");
            this.width = width;
            this.height = height;
        }

        public int width() {
            return width;
        }

        public int height() {
            return height;
        }
    }

    /** What an image's header says, read without decoding its pixels. */
    record Header(int width, int height, boolean colour) {
    }

    /** @throws IOException when no reader knows the file or its header is broken */
    static Header header(InputStream in) throws IOException {
        return withReader(in, reader -> {
            ImageTypeSpecifier type = reader.getRawImageType(0);
            if (type == null) {
                Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
                type = types.hasNext() ? types.next() : null;
            }
            boolean colour = type == null || type.getColorModel().getColorSpace().getType() != ColorSpace.TYPE_GRAY;
            return new Header(reader.getWidth(0), reader.getHeight(0), colour);
        });
    }

    /**
     * @throws TooLargeException when the header announces more than {@link #MAX_PIXELS} pixels
     * @throws IOException       when no reader knows the file or it is broken (also for a decoder's warning)
     */
    public static BufferedImage read(InputStream in) throws IOException {
        return withReader(in, reader -> {
            int width = reader.getWidth(0), height = reader.getHeight(0);
            if ((long) width * height > MAX_PIXELS) {
                throw new TooLargeException(width, height);
            }
            String[] warning = new String[1];
            reader.addIIOReadWarningListener((source, message) -> warning[0] = message);
            BufferedImage image = reader.read(0);
            if (warning[0] != null) {
                throw new IIOException(warning[0]);
            }
            return image;
        });
    }

    private interface ReaderTask<T> {
        T apply(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(InputStream in, ReaderTask<T> task) throws IOException {
        // Cached in memory, not in a temporary file per image as ImageIO.createImageInputStream would.
        try (ImageInputStream stream = new MemoryCacheImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new IIOException("not an image this server reads");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream, true, true);
                return task.apply(reader);
            } catch (RuntimeException e) { // decoders throw these on some malformed files
                throw new IIOException("broken image", e);
            } finally {
                reader.dispose();
            }
        }
    }
}
