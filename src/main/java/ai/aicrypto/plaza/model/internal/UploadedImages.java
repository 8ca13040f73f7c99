package ai.aicrypto.plaza.model.internal;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

import ai.aicrypto.plaza.dataset.format.ImageDecoding;
import ai.aicrypto.plaza.platform.UserFacingException;

/** Images sent for a prediction, decoded as dataset images are ({@link ImageDecoding}: size checked before decoding). */
final class UploadedImages {

    private UploadedImages() {
    }

    static BufferedImage read(byte[] bytes) {
        try {
            return ImageDecoding.read(new ByteArrayInputStream(bytes));
        } catch (ImageDecoding.TooLargeException e) {
            throw new UserFacingException("image", "model.predict.error.image-too-large", ImageDecoding.MAX_SIDE);
        } catch (IOException e) {
            throw new UserFacingException("image", "model.predict.error.image-unreadable");
        }
    }
}
