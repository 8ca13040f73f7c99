package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Free-text columns (detected or named) and JSON Lines uploads: profile, hashed n-gram ids in the shards, bad input. */
class TextDataTest {

    static final String REVIEWS = """
            stars,review,label
            5,"Great little kettle, boils water fast and looks good",good
            1,The handle broke after two days of careful use,bad
            4,"Works as described, quiet and quick to heat",good
            2,Leaks from the lid whenever it is full,bad
            5,I would buy this kettle again without a doubt,good
            1,Stopped working within a week and support never answered,bad
            """;

    @TempDir
    Path dir;

    private final DatasetProcessor processor = new DatasetProcessor(20, 1 << 20);

    private DatasetSource source(DatasetFormat format, String name, String content, String label, List<String> text)
            throws IOException {
        return new DatasetSource(format, Files.writeString(dir.resolve(name), content), null, label, List.of(), text);
    }

    private static void assertError(ThrowingCallable call, String key, Object... args) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DatasetFormatException.class, e -> {
            assertThat(e.messageKey()).isEqualTo(key);
            assertThat(e.args()).containsExactly(args);
        });
    }

    @Test
    void theTextBucketsAreTheConfiguredOnesAndStayWithTheDataset() throws IOException {
        DatasetLimits few = new DatasetLimits(1 << 30, 100, 1000, 1L << 30, 1000);
        DatasetProfile profile = new DatasetProcessor(20, 1 << 20, few).profile(
                source(DatasetFormat.CSV, "reviews.csv", REVIEWS, "label", List.of()), 1);
        assertThat(profile.preprocessing().columns().get(1).buckets()).isEqualTo(1000);
        assertThat(profile.preprocessing().textBuckets()).as("what a text model's card must name").isEqualTo(1000);
        assertThatThrownBy(() -> new DatasetLimits(1 << 30, 100, 1000, 1L << 30, (1 << 24) + 1))
                .hasMessageContaining("text buckets must be 1 to 16777216");
    }

    @Test
    void aColumnOfSentencesIsDetectedAsTextAndBecomesHashedIdsAfterTheOtherFeatures() throws IOException {
        DatasetSource source = source(DatasetFormat.CSV, "reviews.csv", REVIEWS, "label", List.of());
        DatasetProfile profile = processor.profile(source, 1);

        assertThat(profile.columns()).extracting(ColumnProfile::type)
                .containsExactly(ColumnType.INTEGER, ColumnType.TEXT, ColumnType.CATEGORICAL);
        Preprocessing p = profile.preprocessing();
        Preprocessing.Column text = p.columns().get(1);
        assertThat(text.encoding()).isEqualTo(Preprocessing.TEXT);
        assertThat(text.buckets()).isEqualTo(Preprocessing.TEXT_BUCKETS);
        // the longest review's n-grams: 10 words, 9 pairs and the 3- to 5-grams of each framed word
        int longest = TextNgrams.count("Stopped working within a week and support never answered", Preprocessing.DEFAULT_TEXT, 512);
        assertThat(text.text().slots()).isEqualTo(longest);
        assertThat(p.textSlots()).isEqualTo(longest);
        assertThat(p.featureCount()).isEqualTo(1 + longest);
        assertThat(p.featureNames()).startsWith("stars", "review@0", "review@1");
        assertThat(profile.preview().get(0).values()).contains("Great little kettle, boils water fast and looks good");

        float[] features = readFeatures(processor.preprocess(source, profile, dir.resolve("out")), p.featureCount());
        // row 1: ids + 1 in the slots the review fills, distinct, then zeros; the same as encoding the raw record
        float[] row = Arrays.copyOfRange(features, p.featureCount(), 2 * p.featureCount());
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("stars", "1");
        raw.put("review", "The handle broke after two days of careful use");
        assertThat(p.encode(raw)).containsExactly(row);
        float[] ids = Arrays.copyOfRange(row, 1, row.length);
        long used = Arrays.stream(toDoubles(ids)).filter(v -> v > 0).count();
        assertThat(used).isGreaterThan(9 + 8); // words and pairs at least
        assertThat(Arrays.stream(toDoubles(ids)).limit(used).distinct().count()).isEqualTo(used);
        assertThat(Arrays.stream(toDoubles(ids)).allMatch(v -> v >= 0 && v <= Preprocessing.TEXT_BUCKETS && v == Math.rint(v)))
                .isTrue();
        assertThat(Arrays.stream(toDoubles(ids)).skip(used).allMatch(v -> v == 0)).isTrue();
        // the word "handle" is the second id: FNV-1a of "w:handle" into the buckets, plus one
        assertThat(ids[1]).isEqualTo(Integer.remainderUnsigned(Preprocessing.fnv1a("w:handle"), Preprocessing.TEXT_BUCKETS) + 1);
    }

    @Test
    void theUploaderNamesShortTextColumnsAndAnEmptyOneIsRefused() throws IOException {
        String csv = "title,label\nred kettle,a\nblue kettle,b\nred kettle,a\n";
        DatasetProfile named = processor.profile(source(DatasetFormat.CSV, "t.csv", csv, "label", List.of("title")), 1);
        assertThat(named.columns().get(0).type()).isEqualTo(ColumnType.TEXT);
        DatasetProfile detected = processor.profile(source(DatasetFormat.CSV, "t.csv", csv, "label", List.of()), 1);
        assertThat(detected.columns().get(0).type()).isEqualTo(ColumnType.CATEGORICAL);

        assertError(() -> processor.profile(source(DatasetFormat.CSV, "e.csv", "n,note,label\n1,,a\n2,NA,b\n", "label",
                List.of("note")), 1), ErrorKeys.TEXT_EMPTY, "note");
        assertError(() -> processor.profile(source(DatasetFormat.CSV, "m.csv", csv, "label", List.of("body")), 1),
                ErrorKeys.TEXT_COLUMN_MISSING, "body", "title, label");
        assertError(() -> processor.profile(source(DatasetFormat.CSV, "l.csv", csv, "label", List.of("label")), 1),
                ErrorKeys.TEXT_COLUMN_LABEL, "label");
    }

    @Test
    void jsonLinesRecordsAreReadLikeCsvRows() throws IOException {
        String jsonl = """
                {"review": "Great little kettle, boils water fast", "stars": 5, "label": "good"}

                {"review": "The handle broke after two days", "stars": 1, "label": "bad"}
                {"review": "Works as described, quiet and quick", "label": "good"}
                {"review": null, "stars": 2.5, "label": "bad"}
                """;
        DatasetSource source = source(DatasetFormat.JSONL, "r.jsonl", jsonl, "label", List.of("review"));
        assertThat(DatasetFormat.detect(source.primary(), "r.jsonl")).isEqualTo(DatasetFormat.JSONL);
        DatasetProfile profile = processor.profile(source, 1);

        assertThat(profile.format()).isEqualTo(DatasetFormat.JSONL);
        assertThat(profile.rowCount()).isEqualTo(4);
        assertThat(profile.columns()).extracting(ColumnProfile::name).containsExactly("review", "stars", "label");
        assertThat(profile.columns()).extracting(ColumnProfile::type)
                .containsExactly(ColumnType.TEXT, ColumnType.DECIMAL, ColumnType.CATEGORICAL);
        assertThat(profile.columns().get(1).missing()).isEqualTo(1);
        assertThat(profile.classes()).containsExactly("bad", "good");
        assertThat(profile.preview().get(2).values()).containsExactly("Works as described, quiet and quick", "", "good");
        // stars (standardised, with its missing indicator) first, then the review's ids
        assertThat(profile.preprocessing().featureNames()).startsWith("stars", "stars (missing)", "review@0");
        List<Shard> shards = processor.preprocess(source, profile, dir.resolve("jsonl"));
        float[] features = readFeatures(shards, profile.featureCount());
        assertThat(features).hasSize(4 * profile.featureCount());
        assertThat(Arrays.copyOfRange(features, 3 * profile.featureCount() + 2, 4 * profile.featureCount()))
                .containsOnly(0f); // a null review fills no slot
    }

    @Test
    void badJsonLinesNameTheLine() {
        String first = "{\"text\": \"a b c\", \"label\": \"x\"}\n";
        assertError(() -> profileJsonl(first + "{\"text\": \"d e\", \"label\": \n"), ErrorKeys.JSONL_MALFORMED, 2L);
        assertError(() -> profileJsonl(first + "\n[1, 2]\n"), ErrorKeys.JSONL_NOT_OBJECT, 3L);
        assertError(() -> profileJsonl(first + "{\"text\": [\"d\"], \"label\": \"y\"}\n"), ErrorKeys.JSONL_NESTED, 2L, "text");
        assertError(() -> profileJsonl(first + "{\"text\": \"d\", \"extra\": 1, \"label\": \"y\"}\n"),
                ErrorKeys.JSONL_UNKNOWN_FIELD, 2L, "extra");
        assertError(() -> profileJsonl(first + "{\"text\": \"" + "long ".repeat((int) (CsvRows.MAX_RECORD_CHARS / 5) + 100_000)
                + "\", \"label\": \"y\"}\n"), ErrorKeys.RECORD_TOO_LARGE, 2L, CsvRows.MAX_RECORD_CHARS);
        assertError(() -> profileJsonl("\n\n"), ErrorKeys.EMPTY);
    }

    private DatasetProfile profileJsonl(String content) throws IOException {
        return processor.profile(source(DatasetFormat.JSONL, "bad.jsonl", content, "label", List.of("text")), 1);
    }

    private static float[] readFeatures(List<Shard> shards, int featureCount) throws IOException {
        assertThat(shards).hasSize(1);
        SafetensorsReader st = SafetensorsReader.read(shards.get(0).file());
        assertThat(((List<?>) st.tensor("features").get("shape")).get(1)).isEqualTo(featureCount);
        return st.floats("features");
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
