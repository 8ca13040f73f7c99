package ai.aicrypto.plaza.dataset.format;

import java.awt.image.BufferedImage;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.aicrypto.plaza.platform.DataSizes;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * A ZIP of images named by their ids ({@code f17.png}: id {@code f17}), at its top level or in one folder holding them
 * all: the test inputs of an image competition. Its directory is checked as an image-folder dataset's is
 * ({@link ImageFolderArchive}: entry count, names, symbolic links, nested archives, only PNG and JPEG, declared sizes)
 * before any image is inflated, and images are decoded one at a time as asked, never extracted to disk.
 */
public final class IdImageArchive implements Closeable {

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private final ZipFile zip;
    private final List<ZipArchiveEntry> entries;
    private final List<String> ids;

    private IdImageArchive(ZipFile zip, List<ZipArchiveEntry> entries, List<String> ids) {
        this.zip = zip;
        this.entries = entries;
        this.ids = ids;
    }

    /** Whether {@code file} starts as a ZIP does (test inputs are a CSV otherwise). */
    public static boolean isZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(ZIP_MAGIC.length), ZIP_MAGIC);
        }
    }

    /**
     * Opens and checks the archive's directory.
     *
     * @param maxDecompressedBytes the most its images may declare together
     * @throws DatasetFormatException why it is not such an archive (an image in a sub-folder is named)
     */
    public static IdImageArchive open(Path file, long maxDecompressedBytes) throws IOException {
        ZipFile zip = ImageFolderArchive.openZip(file);
        try {
            List<String> folders = new ArrayList<>();
            List<ZipArchiveEntry> entries = ImageFolderArchive.imageEntries(zip, folders);
            String wrapper = wrapper(entries);
            List<String> ids = new ArrayList<>(entries.size());
            long declaredBytes = 0;
            for (ZipArchiveEntry entry : entries) {
                String name = entry.getName().substring(wrapper.length());
                if (name.contains("/")) {
                    throw new DatasetFormatException(ErrorKeys.ZIP_ID_IMAGE_IN_FOLDER, ImageFolderArchive.shown(entry.getName()));
                }
                ids.add(name.substring(0, name.lastIndexOf('.')));
                declaredBytes += Math.max(0, entry.getSize());
            }
            if (declaredBytes > maxDecompressedBytes) {
                throw new DatasetFormatException(ErrorKeys.DECOMPRESSED_TOO_LARGE, DataSizes.humanReadable(maxDecompressedBytes));
            }
            return new IdImageArchive(zip, entries, List.copyOf(ids));
        } catch (RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /** {@code "folder/"} when every image lies in one top-level folder, else {@code ""}. */
    private static String wrapper(List<ZipArchiveEntry> entries) {
        String first = entries.get(0).getName();
        int slash = first.indexOf('/');
        if (slash < 0) {
            return "";
        }
        String folder = first.substring(0, slash + 1);
        return entries.stream().allMatch(e -> e.getName().startsWith(folder)) ? folder : "";
    }

    /** The images' ids (their file names without the extension), in the archive's order. */
    public List<String> ids() {
        return ids;
    }

    /**
     * Decodes image {@code index} (in {@link #ids()} order).
     *
     * @throws DatasetFormatException naming the image when it is broken or too large
     */
    public BufferedImage decode(int index) throws IOException {
        return ImageFolderArchive.decode(zip, entries.get(index));
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
