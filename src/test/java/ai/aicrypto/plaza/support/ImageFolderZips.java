package ai.aicrypto.plaza.support;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** ZIP files of class folders as a user makes them: real Fashion-MNIST items as PNG files, and coloured shapes. */
public final class ImageFolderZips {

    /** Fashion-MNIST's classes in label order, as folder names. */
    public static final List<String> FASHION_CLASSES = List.of("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** The coloured shapes' classes: one colour each, shapes and places random. */
    public static final List<String> COLOURS = List.of("blue", "green", "red");

    private ImageFolderZips() {
    }

    /**
     * The first {@code count} Fashion-MNIST test images as 28x28 grey PNG files in {@code fashion-mnist/CLASS/NNNNN.png}
     * (a zipped folder of class folders), in image order.
     */
    public static Path fashion(Path zip, int count) throws IOException {
        return fashion(zip, 0, count, 0);
    }

    /**
     * Fashion-MNIST test images {@code from} to {@code from + count} as {@link #fashion(Path, int)} writes them, each in
     * the folder of the class {@code labelShift} places after its own (0: correctly labelled; else all mislabelled).
     */
    public static Path fashion(Path zip, int from, int count, int labelShift) throws IOException {
        float[] pixels = ConvReference.fashionImages(from + count);
        int[] labels = ConvReference.fashionLabels(from + count);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = from; i < from + count; i++) {
            String folder = FASHION_CLASSES.get((labels[i] + labelShift) % FASHION_CLASSES.size());
            entries.put(String.format("fashion-mnist/%s/%05d.png", folder, i), png(fashionItem(pixels, i)));
        }
        return write(zip, entries);
    }

    /** Image {@code index} of {@link ConvReference#fashionImages} as a 28x28 grey picture. */
    public static BufferedImage fashionItem(float[] pixels, int index) {
        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int p = 0; p < 784; p++) {
            picture.getRaster().setSample(p % 28, p / 28, 0, Math.round(pixels[index * 784 + p] * 255));
        }
        return picture;
    }

    /** {@code perClass} pictures of each of {@link #COLOURS}: discs and squares of that colour on grey noise, {@code side} pixels. */
    public static Path shapes(Path zip, int perClass, int side, long seed) throws IOException {
        Random random = new Random(seed);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < perClass; i++) {
            for (String colour : COLOURS) {
                entries.put(colour + "/" + i + ".png", png(shape(colour, side, random)));
            }
        }
        return write(zip, entries);
    }

    /** One picture of the shapes' class {@code colour}. */
    public static BufferedImage shape(String colour, int side, Random random) {
        BufferedImage picture = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int grey = 100 + random.nextInt(56);
                picture.setRGB(x, y, new Color(grey, grey, grey).getRGB());
            }
        }
        Graphics2D g = picture.createGraphics();
        g.setColor(switch (colour) {
            case "red" -> new Color(220, 30, 30);
            case "green" -> new Color(30, 200, 30);
            default -> new Color(30, 30, 220);
        });
        int size = side / 3 + random.nextInt(side / 3);
        int x = random.nextInt(side - size), y = random.nextInt(side - size);
        if (random.nextBoolean()) {
            g.fillOval(x, y, size, size);
        } else {
            g.fillRect(x, y, size, size);
        }
        g.dispose();
        return picture;
    }

    public static byte[] png(BufferedImage picture) {
        return encoded(picture, "png");
    }

    public static byte[] jpeg(BufferedImage picture) {
        return encoded(picture, "jpeg");
    }

    private static byte[] encoded(BufferedImage picture, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(picture, format, out)) {
                throw new IllegalStateException("no " + format + " writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A ZIP of these entries in this order: a name ending in {@code /} is a folder. */
    public static Path write(Path zip, Map<String, byte[]> entries) throws IOException {
        try (OutputStream file = Files.newOutputStream(zip); ZipArchiveOutputStream out = new ZipArchiveOutputStream(file)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                out.write(e.getValue());
                out.closeArchiveEntry();
            }
        }
        return zip;
    }

    /** A ZIP of these entries, with {@code link} a symbolic link to {@code target}. */
    public static Path withSymlink(Path zip, Map<String, byte[]> entries, String link, String target) throws IOException {
        try (OutputStream file = Files.newOutputStream(zip); ZipArchiveOutputStream out = new ZipArchiveOutputStream(file)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                out.write(e.getValue());
                out.closeArchiveEntry();
            }
            ZipArchiveEntry symlink = new ZipArchiveEntry(link);
            symlink.setUnixMode(0120777);
            out.putArchiveEntry(symlink);
            out.write(target.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeArchiveEntry();
        }
        return zip;
    }

    /** Two small valid classes, to which a test adds the entry it is about. */
    public static Map<String, byte[]> twoClasses() {
        Random random = new Random(1);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (String colour : List.of("red", "blue")) {
            for (int i = 0; i < 2; i++) {
                entries.put(colour + "/" + i + ".png", png(shape(colour, 12, random)));
            }
        }
        return entries;
    }
}
