package ai.aicrypto.plaza.dataset.format;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

import javax.imageio.ImageIO;

/** Encodes 8-bit grayscale pixels as a PNG data URI for the preview. */
final class PngImages {

    private PngImages() {
    }

    static String dataUri(byte[] pixels, int rows, int cols) {
        BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, cols, rows, pixels);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory stream: does not happen
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    }
}
