package ai.aicrypto.plaza.dataset.format;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a dataset's raw records became the float32 features of its shards: learned when the dataset was profiled,
 * stored with it, and copied into every model trained on it (model card section {@code preprocessing}), so a
 * trained model accepts raw records: a JSON object keyed by column name with values as they appear in the CSV, or
 * an image. The one definition of the encoding: shards, inference and the card all use this class.
 *
 * <p>Version 2 (tables): a numeric column is standardised, {@code (x - mean) / std}, a missing value becoming 0
 * (the mean) with an extra indicator feature when the column had missing values; a categorical column with at
 * most {@value #ONE_HOT_MAX_VALUES} values is one-hot encoded (an unseen value: all zeros), one with more is
 * hashed into {@value #HASH_BUCKETS} one-hot buckets (FNV-1a of the UTF-8 value, no target used); identifier-like
 * columns (also a row number, an integer column counting 0, 1, 2, ... or 1, 2, 3, ..., unless it is the only
 * column) are left out. A free-text column (detected, or named by the uploader) becomes hashed n-gram ids
 * ({@link TextNgrams}: words, word pairs, character 3- to 5-grams, FNV-1a into {@code plaza.dataset.text-buckets}, by default {@value #TEXT_BUCKETS}, buckets), a fixed
 * number of features per record ({@link Text#slots()}): id + 1 as a float (exact below 2<sup>24</sup>), then 0 for the
 * unused slots; text columns come after every other feature, so a text model reads the trailing
 * {@link #textSlots()} features as ids and the ones before as numbers. Version 1, the encoding of datasets uploaded before, is described too: a
 * number as it is (missing: the mean) and a category as its rank in the column histogram. Images (both versions):
 * levels divided by 255, row-major, one plane per channel (grey; or red, green, blue), resized as {@link #fitted} says.
 *
 * @param kind    {@code tabular} or {@code image}
 * @param columns tabular: the feature columns in feature order; image: empty
 * @param image   image: its shape and scaling; tabular: null
 * @param label   the label column and its classes (empty for regression)
 */
public record Preprocessing(int version, String kind, List<Column> columns, Image image, Label label) {

    public static final int CURRENT_VERSION = 2;
    public static final String TABULAR = "tabular", IMAGE = "image";
    public static final String STANDARDIZE = "standardize", ONE_HOT = "one-hot", HASH = "hash", TEXT = "text";
    /** Version 1 encodings. */
    public static final String NUMBER = "number", ORDINAL = "ordinal";
    static final int ONE_HOT_MAX_VALUES = 20;
    static final int HASH_BUCKETS = 32;
    /**
     * Buckets of a text column's n-gram ids by default (what a text model's embedding has rows for); the plaza's
     * {@code plaza.dataset.text-buckets} sets them for new datasets, and each column keeps its own.
     */
    public static final int TEXT_BUCKETS = 1 << 16;
    /** The most n-gram ids a record of a text column keeps (4 bytes each in the shards). */
    static final int MAX_TEXT_SLOTS = 512;
    /** Word uni- and bigrams, character 3- to 5-grams; the slots are sized per column. */
    static final Text DEFAULT_TEXT = new Text(MAX_TEXT_SLOTS, 2, 3, 5);
    /** A category column whose distinct values exceed this share of its values names rows rather than groups. */
    static final double IDENTIFIER_SHARE = 0.5;

    public Preprocessing {
        columns = columns == null ? List.of() : List.copyOf(columns);
        Objects.requireNonNull(label, "label");
    }

    /**
     * One feature column.
     *
     * @param encoding         {@link #STANDARDIZE}, {@link #ONE_HOT}, {@link #HASH}; version 1: {@link #NUMBER},
     *                         {@link #ORDINAL}
     * @param mean             standardize: the mean; number: the value of a missing cell
     * @param std              standardize: the standard deviation (1 for a constant column)
     * @param missingIndicator whether one more feature says the value was missing
     * @param values           one-hot: the values in feature order; ordinal: the values by rank
     * @param buckets          hash, text: the number of buckets
     * @param text             text: how the value becomes n-gram ids; else null
     */
    public record Column(String name, String encoding, Double mean, Double std, boolean missingIndicator,
                         List<String> values, Integer buckets, Text text) {

        public Column {
            values = values == null ? null : List.copyOf(values);
        }

        /** A column that is not text. */
        public Column(String name, String encoding, Double mean, Double std, boolean missingIndicator,
                      List<String> values, Integer buckets) {
            this(name, encoding, mean, std, missingIndicator, values, buckets, null);
        }

        public boolean freeText() {
            return TEXT.equals(encoding);
        }

        /** Whether the raw value is a number (else a category). */
        public boolean numeric() {
            return STANDARDIZE.equals(encoding) || NUMBER.equals(encoding);
        }

        int width() {
            int width = switch (encoding) {
                case ONE_HOT -> values.size();
                case HASH -> buckets;
                case TEXT -> text.slots();
                default -> 1;
            };
            return width + (missingIndicator ? 1 : 0);
        }
    }

    /**
     * A text column's n-grams ({@link TextNgrams}).
     *
     * @param slots      ids kept per record (features of the column)
     * @param wordNgrams 1: words; 2: words and neighbouring pairs
     * @param charMin    shortest character n-gram (0: none)
     * @param charMax    longest character n-gram
     */
    public record Text(int slots, int wordNgrams, int charMin, int charMax) {
    }

    /** @param scale what a grey level (0-255) is multiplied by */
    public record Image(int height, int width, int channels, double scale) {
    }

    /** @param classes the class names in label-index order; empty for a regression target */
    public record Label(String column, List<String> classes) {

        public Label {
            classes = List.copyOf(classes);
        }

        public boolean regression() {
            return classes.isEmpty();
        }
    }

    public boolean forImages() {
        return IMAGE.equals(kind);
    }

    public int featureCount() {
        return forImages() ? image.height() * image.width() * image.channels()
                : columns.stream().mapToInt(Column::width).sum();
    }

    /** Features holding n-gram ids: the trailing ones, one block per text column. */
    public int textSlots() {
        return columns.stream().filter(Column::freeText).mapToInt(Column::width).sum();
    }

    /** The buckets of the text columns' ids (all alike), or 0 without text. */
    public int textBuckets() {
        return columns.stream().filter(Column::freeText).mapToInt(Column::buckets).findFirst().orElse(0);
    }

    /**
     * Tabular: one name per feature ({@code age}, {@code age (missing)}, {@code color=red}, {@code city#7}, a text
     * column's id slots {@code review@0}, {@code review@1}, ...).
     */
    public List<String> featureNames() {
        List<String> names = new ArrayList<>();
        for (Column c : columns) {
            switch (c.encoding()) {
                case ONE_HOT -> c.values().forEach(v -> names.add(c.name() + "=" + v));
                case HASH -> {
                    for (int b = 0; b < c.buckets(); b++) {
                        names.add(c.name() + "#" + b);
                    }
                }
                case TEXT -> {
                    for (int slot = 0; slot < c.text().slots(); slot++) {
                        names.add(c.name() + "@" + slot);
                    }
                }
                default -> names.add(c.name());
            }
            if (c.missingIndicator()) {
                names.add(c.name() + " (missing)");
            }
        }
        return names;
    }

    // ---- learning it ----

    /** Version 2 for a table, from the statistics of its profiling pass. */
    static Preprocessing learnTabular(ColumnAccumulator[] columns, ColumnAccumulator label, List<String> classes, int textBuckets) {
        List<Column> features = new ArrayList<>();
        List<Column> rowNumbers = new ArrayList<>();
        List<Column> texts = new ArrayList<>();
        for (ColumnAccumulator c : columns) {
            if (c == label || c.present() == 0) {
                continue;
            }
            boolean indicator = c.missing() > 0;
            if (c.type() == ColumnType.TEXT) {
                Text text = new Text(Math.max(1, c.textSlots()), DEFAULT_TEXT.wordNgrams(), DEFAULT_TEXT.charMin(),
                        DEFAULT_TEXT.charMax());
                texts.add(new Column(c.name(), TEXT, null, null, false, null, textBuckets, text));
            } else if (c.type() != ColumnType.CATEGORICAL) {
                double std = c.std();
                (c.rowNumber() ? rowNumbers : features).add(new Column(c.name(), STANDARDIZE, c.mean(), std > 0 && Double.isFinite(std) ? std : 1.0,
                        indicator, null, null));
            } else if (!c.countedAll() || c.distinct() > Math.max(ONE_HOT_MAX_VALUES, IDENTIFIER_SHARE * c.present())) {
                continue; // free text, or a value per row: nothing a group shares
            } else if (c.distinct() <= ONE_HOT_MAX_VALUES) {
                features.add(new Column(c.name(), ONE_HOT, null, null, indicator, c.sortedValues(), null));
            } else {
                features.add(new Column(c.name(), HASH, null, null, indicator, null, HASH_BUCKETS));
            }
        }
        // A row number is an input only when it is all there is (e.g. the time step of a series).
        List<Column> all = new ArrayList<>(features.isEmpty() && texts.isEmpty() ? rowNumbers : features);
        all.addAll(texts); // last: a text model reads the trailing features as ids
        return new Preprocessing(CURRENT_VERSION, TABULAR, all, null, new Label(label.name(), classes));
    }

    /** Images of {@code rows x cols} with 1 (grey) or 3 (red, green, blue) channels, levels scaled to [0, 1]. */
    static Preprocessing image(int rows, int cols, int channels, String labelColumn, List<String> classes) {
        return new Preprocessing(CURRENT_VERSION, IMAGE, List.of(), new Image(rows, cols, channels, 1 / 255.0),
                new Label(labelColumn, classes));
    }

    /** The encoding a profile stored before version 2 was written with (see the package documentation of v1). */
    static Preprocessing legacy(DatasetFormat format, List<ColumnProfile> profiles, String labelColumn,
                                List<String> classes, List<Integer> imageShape) {
        if (format == DatasetFormat.IDX) {
            return new Preprocessing(1, IMAGE, List.of(), new Image(imageShape.get(0), imageShape.get(1), 1, 1 / 255.0),
                    new Label(labelColumn, classes));
        }
        List<Column> features = new ArrayList<>();
        for (ColumnProfile c : profiles) {
            if (c.name().equals(labelColumn) || c.highCardinality()) {
                continue;
            }
            if (c.type() == ColumnType.CATEGORICAL) {
                // Rank = most frequent first, ties in value order: the order the histogram had when encoded
                // (JSONB does not keep key order).
                List<String> ranked = c.histogram().entrySet().stream()
                        .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(e -> -e.getValue())
                                .thenComparing(Map.Entry::getKey))
                        .map(Map.Entry::getKey).toList();
                features.add(new Column(c.name(), ORDINAL, null, null, false, ranked, null));
            } else {
                features.add(new Column(c.name(), NUMBER, c.mean(), null, false, null, null));
            }
        }
        return new Preprocessing(1, TABULAR, features, null, new Label(labelColumn, classes));
    }

    // ---- applying it ----

    /** Encodes rows laid out as {@code header}, which must contain every feature column. */
    RowEncoder rowEncoder(List<String> header) {
        int[] sources = new int[columns.size()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = header.indexOf(columns.get(i).name());
            if (sources[i] < 0) {
                throw new IllegalStateException("column " + columns.get(i).name() + " is not in the header");
            }
        }
        Encoder[] encoders = columns.stream().map(Preprocessing::encoder).toArray(Encoder[]::new);
        return (row, out) -> {
            int at = 0;
            for (int i = 0; i < encoders.length; i++) {
                at = encoders[i].encode(row[sources[i]], out, at);
            }
        };
    }

    interface RowEncoder {
        /** @throws NumberFormatException for a numeric column's cell that is no number */
        void encode(String[] row, float[] out);
    }

    /**
     * Encodes one raw record: every column of the model's input, by name, with the value as it would appear in
     * the CSV (a missing value as an empty string or {@code NA}).
     *
     * @throws InvalidRecordException naming the first column that is missing, unknown or of the wrong type
     */
    public float[] encode(Map<String, String> record) {
        if (forImages()) {
            throw new IllegalStateException("an image model takes an image");
        }
        Set<String> expected = new HashSet<>();
        columns.forEach(c -> expected.add(c.name()));
        for (String name : record.keySet()) {
            if (!expected.contains(name)) {
                throw new InvalidRecordException(InvalidRecordException.UNKNOWN_COLUMN, name);
            }
        }
        float[] out = new float[featureCount()];
        int at = 0;
        for (Column c : columns) {
            String value = record.get(c.name());
            if (value == null) {
                throw new InvalidRecordException(InvalidRecordException.MISSING_COLUMN, c.name());
            }
            value = value.strip();
            if (c.numeric() && !Values.isMissing(value) && !Values.isDecimal(value)) {
                throw new InvalidRecordException(InvalidRecordException.NOT_A_NUMBER, c.name(), shorten(value));
            }
            at = encoder(c).encode(value, out, at);
        }
        return out;
    }

    /**
     * Resizes an image to the model's input size and encodes it: grey levels, or red, green and blue planes one after
     * the other ([channels, height, width], as a CNN reads them), each level times the scale. Datasets of image folders
     * are encoded by this method too, so a model sees a picture at inference as it saw its training images.
     */
    public float[] encode(BufferedImage picture) {
        return features(fitted(picture));
    }

    /**
     * The picture at the input size, as 8-bit grey or RGB (an alpha channel is dropped). Shrinking by more than half
     * goes in halving steps: bilinear interpolation at exactly half the size averages each 2x2 block, so the steps
     * average every source pixel (area averaging) where a single bilinear step would sample a few and alias.
     */
    BufferedImage fitted(BufferedImage picture) {
        if (!forImages()) {
            throw new IllegalStateException("a tabular model takes a record");
        }
        int type = image.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR;
        BufferedImage current = picture;
        do {
            int width = Math.max(image.width(), current.getWidth() / 2);
            int height = Math.max(image.height(), current.getHeight() / 2);
            BufferedImage next = new BufferedImage(width, height, type);
            Graphics2D g = next.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(current, 0, 0, width, height, null);
            } finally {
                g.dispose();
            }
            current = next;
        } while (current.getWidth() != image.width() || current.getHeight() != image.height());
        return current;
    }

    /** The features of a {@link #fitted} picture. */
    float[] features(BufferedImage fitted) {
        int planes = image.channels(), pixels = image.height() * image.width();
        float[] out = new float[planes * pixels];
        var raster = fitted.getRaster();
        for (int c = 0; c < planes; c++) {
            for (int y = 0, p = 0; y < image.height(); y++) {
                for (int x = 0; x < image.width(); x++, p++) {
                    out[c * pixels + p] = (float) (raster.getSample(x, y, c) * image.scale());
                }
            }
        }
        return out;
    }

    private interface Encoder {
        /** Writes the column's features from {@code out[at]} on and returns the index after them. */
        int encode(String value, float[] out, int at);
    }

    private static Encoder encoder(Column c) {
        return switch (c.encoding()) {
            case STANDARDIZE -> {
                float mean = c.mean().floatValue();
                float std = c.std().floatValue();
                yield (value, out, at) -> {
                    boolean missing = Values.isMissing(value);
                    out[at] = missing ? 0f : (Float.parseFloat(value) - mean) / std;
                    return indicator(c, missing, out, at + 1);
                };
            }
            case ONE_HOT -> {
                Map<String, Integer> index = indexOf(c.values());
                int width = c.values().size();
                yield (value, out, at) -> {
                    java.util.Arrays.fill(out, at, at + width, 0f);
                    boolean missing = Values.isMissing(value);
                    Integer i = missing ? null : index.get(value);
                    if (i != null) {
                        out[at + i] = 1f;
                    }
                    return indicator(c, missing, out, at + width);
                };
            }
            case HASH -> {
                int buckets = c.buckets();
                yield (value, out, at) -> {
                    java.util.Arrays.fill(out, at, at + buckets, 0f);
                    boolean missing = Values.isMissing(value);
                    if (!missing) {
                        out[at + Integer.remainderUnsigned(fnv1a(value), buckets)] = 1f;
                    }
                    return indicator(c, missing, out, at + buckets);
                };
            }
            case NUMBER -> {
                float fill = c.mean().floatValue();
                yield (value, out, at) -> {
                    out[at] = Values.isMissing(value) ? fill : Float.parseFloat(value);
                    return at + 1;
                };
            }
            case ORDINAL -> {
                Map<String, Integer> rank = indexOf(c.values());
                int other = c.values().size();
                yield (value, out, at) -> {
                    out[at] = Values.isMissing(value) ? -1f : rank.getOrDefault(value, other);
                    return at + 1;
                };
            }
            case TEXT -> {
                int slots = c.text().slots(), buckets = c.buckets();
                yield (value, out, at) -> {
                    java.util.Arrays.fill(out, at, at + slots, 0f);
                    if (!Values.isMissing(value)) {
                        int[] ids = TextNgrams.ids(value, c.text(), buckets);
                        for (int i = 0; i < ids.length; i++) {
                            out[at + i] = ids[i] + 1; // 0 is an unused slot
                        }
                    }
                    return at + slots;
                };
            }
            default -> throw new IllegalStateException("unknown encoding " + c.encoding());
        };
    }

    private static int indicator(Column c, boolean missing, float[] out, int at) {
        if (!c.missingIndicator()) {
            return at;
        }
        out[at] = missing ? 1f : 0f;
        return at + 1;
    }

    private static Map<String, Integer> indexOf(List<String> values) {
        Map<String, Integer> index = new HashMap<>();
        for (String v : values) {
            index.put(v, index.size());
        }
        return index;
    }

    /** 32-bit FNV-1a of the UTF-8 bytes: simple to reproduce outside the plaza, and no target is needed. */
    static int fnv1a(String value) {
        int hash = 0x811c9dc5;
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        return hash;
    }

    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 39) + "\u2026";
    }
}
