package ai.aicrypto.plaza.dataset.format;

import java.awt.image.BufferedImage;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.platform.DataSizes;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * A ZIP of class folders, checked from its central directory before any entry is inflated: the entry count (read from
 * the end record before the directory itself is parsed), every name (no absolute paths, {@code ..}, backslashes or
 * control characters), no symbolic links, nested archives or other files, at least two classes and no empty class
 * folder, and the sizes the directory declares against the decompression limit. An entry is then read through a
 * stream that stops at its declared size, so an entry that lies about its size cannot expand further.
 *
 * <p>The classes are the top-level folders, or those of a single folder that wraps them all (as zipping a folder
 * makes); an image anywhere under a class folder belongs to that class. Operating-system clutter ({@code __MACOSX/},
 * hidden files such as {@code .DS_Store}, {@code Thumbs.db}, {@code desktop.ini}) is skipped; any other file that is
 * not a PNG or JPEG (by its extension) is refused by name, so the uploader knows what was not used.
 */
final class ImageFolderArchive implements Closeable {

    /** Each entry costs memory while the directory is open: a few hundred bytes. */
    static final int MAX_ENTRIES = 250_000;
    static final int MAX_CLASSES = CsvProfiler.MAX_CLASSES;
    private static final long MAX_DIRECTORY_BYTES = 64L << 20;
    private static final int MAX_NAME_SHOWN = 120;
    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg");
    private static final Set<String> ARCHIVE_EXTENSIONS = Set.of("zip", "jar", "gz", "tgz", "tar", "7z", "rar", "bz2", "xz", "zst");
    private static final Set<String> CLUTTER = Set.of("__macosx", "thumbs.db", "desktop.ini");
    private static final Pattern UNSAFE = Pattern.compile("(^[/\\\\])|(^[A-Za-z]:)|\\\\|[\\x00-\\x1f]|(^|/)\\.\\.(/|$)");

    /** One image entry and the index of its class. */
    record Image(ZipArchiveEntry entry, String name, int classIndex) {
    }

    private final ZipFile zip;
    private final List<String> classes;
    private final List<Image> images;
    private final ReadProgress progress;

    private ImageFolderArchive(ZipFile zip, List<String> classes, List<Image> images, ReadProgress progress) {
        this.progress = progress;
        this.zip = zip;
        this.classes = classes;
        this.images = images;
    }

    /** The source's ZIP; each image decoded is reported to the source's progress by its stored size. */
    static ImageFolderArchive open(DatasetSource source, DatasetLimits limits) throws IOException {
        ZipFile zip = openZip(source.primary());
        try {
            return read(zip, limits, source.progress());
        } catch (RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /** Opens a ZIP once its end record says its directory is of a size to read ({@link #checkDirectorySize}). */
    static ZipFile openZip(Path file) throws IOException {
        checkDirectorySize(file);
        try {
            return ZipFile.builder().setPath(file).setIgnoreLocalFileHeader(true).get();
        } catch (IOException e) {
            throw new DatasetFormatException(ErrorKeys.ZIP_BROKEN);
        }
    }

    private static ImageFolderArchive read(ZipFile zip, DatasetLimits limits, ReadProgress progress) {
        List<String> folders = new ArrayList<>();
        List<ZipArchiveEntry> files = imageEntries(zip, folders);
        String wrapper = wrapper(files, folders);
        // Sorted class names give the label indices: the same folders give the same classes whatever the zip tool.
        Map<String, Long> counts = new TreeMap<>();
        for (String folder : folders) {
            String path = folder.substring(Math.min(folder.length(), wrapper.length()));
            if (!path.isEmpty()) {
                counts.putIfAbsent(path.split("/", 2)[0], 0L);
            }
        }
        long declaredBytes = 0;
        for (ZipArchiveEntry entry : files) {
            String path = entry.getName().substring(wrapper.length());
            if (!path.contains("/")) {
                throw new DatasetFormatException(ErrorKeys.ZIP_IMAGE_OUTSIDE_CLASS, shown(entry.getName()));
            }
            counts.merge(path.split("/", 2)[0], 1L, Long::sum);
            declaredBytes += Math.max(0, entry.getSize());
        }
        counts.forEach((name, count) -> {
            if (count == 0) {
                throw new DatasetFormatException(ErrorKeys.ZIP_EMPTY_CLASS, shown(name));
            }
            if (name.isBlank() || name.length() > IdxProfiler.MAX_CLASS_NAME) {
                throw new DatasetFormatException(ErrorKeys.CLASS_NAMES_INVALID, IdxProfiler.MAX_CLASS_NAME);
            }
        });
        if (counts.size() < 2) {
            throw new DatasetFormatException(ErrorKeys.ZIP_ONE_CLASS, shown(counts.keySet().iterator().next()));
        }
        if (counts.size() > MAX_CLASSES) {
            throw new DatasetFormatException(ErrorKeys.ZIP_TOO_MANY_CLASSES, counts.size(), MAX_CLASSES);
        }
        if (declaredBytes > limits.maxDecompressedBytes()) {
            throw new DatasetFormatException(ErrorKeys.DECOMPRESSED_TOO_LARGE, DataSizes.humanReadable(limits.maxDecompressedBytes()));
        }
        limits.checkRows(files.size());
        List<String> classes = List.copyOf(counts.keySet());
        List<Image> images = new ArrayList<>(files.size());
        for (ZipArchiveEntry entry : files) {
            String path = entry.getName().substring(wrapper.length());
            images.add(new Image(entry, entry.getName(), Collections.binarySearch(classes, path.split("/", 2)[0])));
        }
        return new ImageFolderArchive(zip, classes, images, progress);
    }

    /**
     * The image entries of a ZIP's directory, checked: no unsafe names or symbolic links, no nested archives or files
     * other than PNG and JPEG (clutter skipped), none the reader cannot inflate, at least one. Its folders are added to
     * {@code folders} (without the trailing slash).
     */
    static List<ZipArchiveEntry> imageEntries(ZipFile zip, List<String> folders) {
        List<ZipArchiveEntry> files = new ArrayList<>();
        for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
            String name = entry.getName();
            if (UNSAFE.matcher(name).find()) {
                throw new DatasetFormatException(ErrorKeys.ZIP_UNSAFE_NAME, shown(name));
            }
            if (entry.isUnixSymlink()) {
                throw new DatasetFormatException(ErrorKeys.ZIP_SYMLINK, shown(name));
            }
            if (clutter(name)) {
                continue;
            }
            if (entry.isDirectory()) {
                folders.add(name.substring(0, name.length() - 1));
                continue;
            }
            String extension = extension(name);
            if (ARCHIVE_EXTENSIONS.contains(extension)) {
                throw new DatasetFormatException(ErrorKeys.ZIP_NESTED_ARCHIVE, shown(name));
            }
            if (!IMAGE_EXTENSIONS.contains(extension)) {
                throw new DatasetFormatException(ErrorKeys.ZIP_NOT_AN_IMAGE, shown(name));
            }
            if (!zip.canReadEntryData(entry)) {
                throw new DatasetFormatException(ErrorKeys.ZIP_ENTRY_UNREADABLE, shown(name));
            }
            files.add(entry);
        }
        if (files.isEmpty()) {
            throw new DatasetFormatException(ErrorKeys.ZIP_NO_IMAGES);
        }
        return files;
    }

    /**
     * {@code "folder/"} when every image and folder lies under one folder and no image lies directly in it: a zipped
     * folder of class folders. Else {@code ""}.
     */
    private static String wrapper(List<ZipArchiveEntry> files, List<String> folders) {
        String first = files.get(0).getName().split("/", 2)[0] + "/";
        for (ZipArchiveEntry entry : files) {
            String name = entry.getName();
            if (!name.startsWith(first) || name.indexOf('/', first.length()) < 0) {
                return "";
            }
        }
        for (String folder : folders) {
            if (!(folder + "/").startsWith(first)) {
                return "";
            }
        }
        return first;
    }

    private static boolean clutter(String name) {
        for (String segment : name.split("/")) {
            if (segment.startsWith(".") || CLUTTER.contains(segment.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static String extension(String name) {
        String last = name.substring(name.lastIndexOf('/') + 1);
        int dot = last.lastIndexOf('.');
        return dot < 0 ? "" : last.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static String shown(String name) {
        return name.length() <= MAX_NAME_SHOWN ? name : name.substring(0, MAX_NAME_SHOWN - 1) + "\u2026";
    }

    /** The class names in label order. */
    List<String> classes() {
        return classes;
    }

    /** The images in the order they are stored. */
    List<Image> images() {
        return images;
    }

    /** The image's bytes as stored, inflated; never more than its directory entry declares. */
    InputStream open(Image image) throws IOException {
        return open(zip, image.entry());
    }

    private static InputStream open(ZipFile zip, ZipArchiveEntry entry) throws IOException {
        return InputFiles.limited(zip.getInputStream(entry), Math.max(0, entry.getSize()),
                () -> new DatasetFormatException(ErrorKeys.ZIP_ENTRY_SIZE, shown(entry.getName())));
    }

    /**
     * Decodes one image.
     *
     * @throws DatasetFormatException naming the image when it is broken or too large
     */
    BufferedImage decode(Image image) throws IOException {
        progress.read(Math.max(0, image.entry().getCompressedSize()));
        return decode(zip, image.entry());
    }

    /** Decodes one image entry of a ZIP checked by {@link #imageEntries}; a broken or too large one is named. */
    static BufferedImage decode(ZipFile zip, ZipArchiveEntry entry) throws IOException {
        try (InputStream in = open(zip, entry)) {
            return ImageDecoding.read(in);
        } catch (ImageDecoding.TooLargeException e) {
            throw new DatasetFormatException(ErrorKeys.ZIP_IMAGE_TOO_LARGE, shown(entry.getName()), e.width(), e.height(),
                    ImageDecoding.MAX_SIDE);
        } catch (IOException e) {
            throw broken(entry.getName(), e);
        }
    }

    /** The decoders wrap what the entry's stream threw: an entry larger than declared says so, anything else is broken. */
    private static DatasetFormatException broken(String name, IOException e) {
        return e.getCause() instanceof DatasetFormatException own ? own
                : new DatasetFormatException(ErrorKeys.ZIP_BROKEN_IMAGE, shown(name));
    }

    /** The header of one image, for choosing defaults. */
    ImageDecoding.Header header(Image image) throws IOException {
        try (InputStream in = open(image)) {
            return ImageDecoding.header(in);
        } catch (IOException e) {
            throw broken(image.name(), e);
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    /**
     * Refuses an archive whose end record announces more than {@link #MAX_ENTRIES} entries or a central directory over
     * {@link #MAX_DIRECTORY_BYTES}, before a ZIP reader parses (and holds) that directory. ZIP64 archives say so in a
     * record of their own, found through a locator just before the end record.
     */
    private static void checkDirectorySize(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            int tail = (int) Math.min(size, 22 + 0xFFFF);
            ByteBuffer buffer = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(buffer, size - tail);
            int end = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (buffer.getInt(i) == 0x06054b50) {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                throw new DatasetFormatException(ErrorKeys.ZIP_BROKEN);
            }
            long entries = buffer.getShort(end + 10) & 0xFFFF;
            long directoryBytes = buffer.getInt(end + 12) & 0xFFFFFFFFL;
            if (end >= 20 && buffer.getInt(end - 20) == 0x07064b50) {
                ByteBuffer zip64 = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
                long at = buffer.getLong(end - 20 + 8);
                if (at < 0 || at > size - 56 || channel.read(zip64, at) < 56 || zip64.getInt(0) != 0x06064b50) {
                    throw new DatasetFormatException(ErrorKeys.ZIP_BROKEN);
                }
                entries = zip64.getLong(32);
                directoryBytes = zip64.getLong(40);
            }
            if (entries < 0 || entries > MAX_ENTRIES || directoryBytes < 0 || directoryBytes > MAX_DIRECTORY_BYTES) {
                throw new DatasetFormatException(ErrorKeys.ZIP_TOO_MANY_ENTRIES, MAX_ENTRIES);
            }
        }
    }
}
