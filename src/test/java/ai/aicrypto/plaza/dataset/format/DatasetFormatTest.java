package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetFormatTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"data.csv,CSV", "DATA.CSV,CSV", "data.tsv,TSV", "data.tab,TSV", "data.csv.gz,CSV"})
    void detectsTextFormatsByExtension(String name, DatasetFormat expected) throws IOException {
        Path file = Files.writeString(dir.resolve("upload"), "a,b\n1,2\n");
        assertThat(DatasetFormat.detect(file, name)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"false,images.bin", "true,whatever"})
    void detectsIdxByMagicRegardlessOfName(boolean gzip, String name) throws IOException {
        Path file = IdxFiles.write(dir.resolve("upload"), IdxFiles.idx(0x08, new int[] {1}, new byte[] {4}), gzip);
        assertThat(DatasetFormat.detect(file, name)).isEqualTo(DatasetFormat.IDX);
    }

    @Test
    void rejectsUnknownAndBinaryFiles() throws IOException {
        Path text = Files.writeString(dir.resolve("t"), "hello");
        Path binary = Files.write(dir.resolve("b"), new byte[] {'P', 'K', 3, 4, 0, 0, 1});
        assertUnsupported(text, "notes.txt");
        assertUnsupported(text, null);
        assertUnsupported(binary, "data.csv");
        assertUnsupported(Files.write(dir.resolve("gz"), new byte[] {0x1f, (byte) 0x8b, 1}), "data.csv.gz");
    }

    @Test
    void idxNameWithoutIdxMagicIsBadMagic() throws IOException {
        Path file = Files.writeString(dir.resolve("x"), "not idx");
        assertThatThrownBy(() -> DatasetFormat.detect(file, "train-images-idx3-ubyte"))
                .isInstanceOfSatisfying(DatasetFormatException.class,
                        e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.IDX_BAD_MAGIC));
    }

    private static void assertUnsupported(Path file, String name) {
        assertThatThrownBy(() -> DatasetFormat.detect(file, name))
                .isInstanceOfSatisfying(DatasetFormatException.class,
                        e -> assertThat(e.messageKey()).isEqualTo(ErrorKeys.UNSUPPORTED_TYPE));
    }
}
