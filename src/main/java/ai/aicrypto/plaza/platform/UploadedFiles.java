package ai.aicrypto.plaza.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.web.multipart.MultipartFile;

/** Files that arrive as parts of a form, checked and moved out of the container's spool. */
public final class UploadedFiles {

    private UploadedFiles() {
    }

    /**
     * Moves the container's spooled part into {@code dir} (a rename on the same disk, no copy in memory); the caller
     * deletes the file.
     *
     * @throws UserFacingException on {@code field} when no file was chosen, it is empty or larger than {@code maxBytes}
     *                             (the container enforces its own limit; this holds where it is not in front)
     */
    public static Path spool(MultipartFile part, String field, Path dir, long maxBytes) throws IOException {
        if (part == null || part.getOriginalFilename() == null || part.getOriginalFilename().isBlank()) {
            throw new UserFacingException(field, "competition.error.no-file");
        }
        if (part.isEmpty()) {
            throw new UserFacingException(field, "competition.error.empty-file", part.getOriginalFilename());
        }
        if (part.getSize() > maxBytes) {
            throw new UserFacingException(field, "upload.error.too-large", DataSizes.humanReadable(maxBytes));
        }
        Path target = Files.createTempFile(Files.createDirectories(dir), "upload-", ".part");
        part.transferTo(target);
        return target;
    }
}
