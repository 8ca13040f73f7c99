package ai.aicrypto.plaza.model.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import ai.aicrypto.plaza.platform.UserFacingException;

/** Images sent for a prediction: decoded only after their size is read from the header, so a small file cannot
 * decompress into gigabytes of pixels. */
final class UploadedImages {

    static final int MAX_PIXELS = 4096 * 4096;

    private UploadedImages() {
    }

    static BufferedImage read(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UserFacingException("image", "model.predict.error.image-unreadable");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new UserFacingException("image", "model.predict.error.image-too-large", 4096);
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserFacingException u) {
                throw u;
            }
            throw new UserFacingException("image", "model.predict.error.image-unreadable");
        }
    }
}
