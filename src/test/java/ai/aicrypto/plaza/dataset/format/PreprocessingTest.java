package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class PreprocessingTest {

    @TempDir
    Path dir;

    private final DatasetProcessor processor = new DatasetProcessor(5, 1 << 20);

    private DatasetProfile profile(String csv, String label) throws IOException {
        return processor.profile(new DatasetSource(DatasetFormat.CSV, Files.writeString(dir.resolve("d.csv"), csv),
                null, label), 0);
    }

    private static Map<String, String> record(String... keysAndValues) {
        Map<String, String> record = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            record.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return record;
    }

    @Test
    void aRawRecordIsEncodedExactlyAsItsRowWasInTheShards() throws IOException {
        DatasetProfile profile = profile(CsvProfileTest.SAMPLE, "label");
        Preprocessing p = profile.preprocessing();
        List<Shard> shards = processor.preprocess(new DatasetSource(DatasetFormat.CSV, dir.resolve("d.csv"), null,
                "label"), profile, dir.resolve("out"));
        float[] stored = SafetensorsReader.read(shards.get(0).file()).floats("features");

        // row 2 of SAMPLE: 2,NA,2.5,blue,no; the id (a row number) is not an input
        float[] encoded = p.encode(record("age", "NA", "height", " 2.5", "color", "blue"));

        assertThat(encoded).containsExactly(java.util.Arrays.copyOfRange(stored, 7, 14));
        assertThat(p.encode(record("age", "", "height", "2.5", "color", "green")))
                .as("an unseen category is all zeros").containsExactly(0, 1, 0, 0, 0, 0, 0);
    }

    @Test
    void aRecordThatDoesNotFitIsRefusedNamingTheColumn() throws IOException {
        Preprocessing p = profile(CsvProfileTest.SAMPLE, "label").preprocessing();

        assertThatThrownBy(() -> p.encode(record("age", "1", "height", "2", "color", "red", "id", "3")))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> {
                    assertThat(e.messageKey()).isEqualTo(InvalidRecordException.UNKNOWN_COLUMN);
                    assertThat(e.args()).containsExactly("id");
                });
        assertThatThrownBy(() -> p.encode(record("age", "1", "color", "red")))
                .isInstanceOfSatisfying(InvalidRecordException.class,
                        e -> assertThat(e.args()).containsExactly("height"));
        assertThatThrownBy(() -> p.encode(record("age", "thirty", "height", "2", "color", "red")))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> {
                    assertThat(e.messageKey()).isEqualTo(InvalidRecordException.NOT_A_NUMBER);
                    assertThat(e.args()).containsExactly("age", "thirty");
                });
        assertThatThrownBy(() -> p.encode(record("age", "Infinity", "height", "2", "color", "red")))
                .isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void aProfileStoredBeforeVersionTwoDescribesTheRankEncodingItsShardsHave() {
        // As stored by version 1 (no preprocessing; JSONB lost the histogram's order): ranks by frequency
        ColumnProfile color = new ColumnProfile("color", ColumnType.CATEGORICAL, 1, null, null, null,
                Map.of("blue", 1L, "red", 2L, "amber", 1L));
        ColumnProfile age = new ColumnProfile("age", ColumnType.INTEGER, 1, 30.0, 50.0, 40.0, null);
        ColumnProfile label = new ColumnProfile("label", ColumnType.CATEGORICAL, 0, null, null, null,
                Map.of("no", 2L, "yes", 2L));
        DatasetProfile stored = new DatasetProfile(DatasetFormat.CSV, 4, List.of(age, color, label), "label",
                List.of("no", "yes"), 2, null, List.of(), null);

        Preprocessing p = stored.preprocessing();

        assertThat(p.version()).isEqualTo(1);
        assertThat(p.featureNames()).containsExactly("age", "color");
        assertThat(p.encode(record("age", "NA", "color", "red"))).containsExactly(40, 0);
        assertThat(p.encode(record("age", "31", "color", "amber"))).containsExactly(31, 1);
        assertThat(p.encode(record("age", "31", "color", "blue"))).containsExactly(31, 2);
        assertThat(p.encode(record("age", "31", "color", "green"))).containsExactly(31, 3);
        assertThat(p.encode(record("age", "31", "color", ""))).containsExactly(31, -1);
    }

    @Test
    void survivesTheJsonRoundTripOfTheStoredProfile() throws IOException {
        DatasetProfile profile = profile(CsvProfileTest.SAMPLE, "label");
        JsonMapper json = JsonMapper.builder().build();

        DatasetProfile read = json.readValue(json.writeValueAsString(profile), DatasetProfile.class);

        assertThat(read.preprocessing()).isEqualTo(profile.preprocessing());
        assertThat(read.preprocessing().version()).isEqualTo(Preprocessing.CURRENT_VERSION);
    }

    @Test
    void anImageOfAnySizeIsResizedToTheInputAndScaled() {
        Preprocessing p = Preprocessing.image(4, 4, 1, "label", List.of("dark", "light"));
        BufferedImage picture = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        var g = picture.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 20, 20); // left half white, right half black
        g.dispose();

        float[] encoded = p.encode(picture);

        assertThat(encoded).hasSize(16);
        assertThat(encoded[0]).isCloseTo(1f, within(0.01f));
        assertThat(encoded[3]).isCloseTo(0f, within(0.01f));
        assertThat(encoded[12]).isCloseTo(1f, within(0.01f));
    }
}
