package ai.aicrypto.plaza.model.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsInspectorTest {

    @TempDir
    Path dir;

    /** A safetensors file: LE u64 header length, header JSON (space-padded to 8 bytes), data. */
    static byte[] safetensors(String headerJson, byte[] data) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        byte[] headerPadded = Arrays.copyOf(header, padded);
        Arrays.fill(headerPadded, header.length, padded, (byte) ' ');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.writeBytes(headerPadded);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Softmax-regression weights for 4 features x 3 classes: W [3,4] F32 and b [3] F32. */
    static final String VALID_HEADER = """
            {"__metadata__":{"format":"pt","card":"iris"},\
            "classifier.weight":{"dtype":"F32","shape":[3,4],"data_offsets":[0,48]},\
            "classifier.bias":{"dtype":"F32","shape":[3],"data_offsets":[48,60]}}""";

    static byte[] validData() {
        float[] values = new float[15];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 3f;
        }
        return f32(values);
    }

    Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "weights", ".safetensors");
        Files.write(file, bytes);
        return file;
    }

    static CardFieldError onlyError(Path file, String field, String key) {
        InvalidModelCardException e = catchThrowableOfType(InvalidModelCardException.class,
                () -> SafetensorsInspector.inspect(file));
        assertThat(e).as("file should be rejected").isNotNull();
        assertThat(e.errors()).as(e.errors().toString()).hasSize(1);
        CardFieldError error = e.errors().get(0);
        assertThat(error.field()).isEqualTo(field);
        assertThat(error.messageKey()).isEqualTo(key);
        return error;
    }

    @Test
    void validFileIsSummarised() throws IOException {
        byte[] bytes = safetensors(VALID_HEADER, validData());
        SafetensorsSummary summary = SafetensorsInspector.inspect(write(bytes));

        assertThat(summary.headerBytes()).isEqualTo(bytes.length - 8 - 60);
        assertThat(summary.headerBytes() % 8).isZero();
        assertThat(summary.tensors()).containsOnlyKeys("classifier.weight", "classifier.bias");
        assertThat(summary.tensors().keySet()).containsExactly("classifier.weight", "classifier.bias");
        SafetensorsSummary.TensorInfo w = summary.tensors().get("classifier.weight");
        assertThat(w.dtype()).isEqualTo("F32");
        assertThat(w.shape()).containsExactly(3L, 4L);
        assertThat(w.begin()).isZero();
        assertThat(w.end()).isEqualTo(48);
        assertThat(summary.tensors().get("classifier.bias").byteLength()).isEqualTo(12);
        assertThat(summary.metadata()).containsEntry("format", "pt").containsEntry("card", "iris");
        assertThat(summary.parameterCount()).isEqualTo(15);
        assertThat(summary.dataBytes()).isEqualTo(60);
    }

    @Test
    void tensorsMayBeListedOutOfOffsetOrderAndScalarsAndEmptyTensorsAreFine() throws IOException {
        String header = """
                {"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},\
                "a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},\
                "empty":{"dtype":"I64","shape":[0,5],"data_offsets":[12,12]}}""";
        SafetensorsSummary summary = SafetensorsInspector.inspect(write(safetensors(header, new byte[12])));
        assertThat(summary.tensors().get("a").elementCount()).isEqualTo(1);
        assertThat(summary.tensors().get("empty").elementCount()).isZero();
        assertThat(summary.metadata()).isEmpty();
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        byte[] bytes = safetensors(VALID_HEADER, validData());
        CardFieldError e = onlyError(write(Arrays.copyOf(bytes, bytes.length - 10)), "/weights",
                "model.card.error.safetensors.truncated");
        assertThat(e.args()).containsExactly(60L, 50L);
    }

    @Test
    void fileCutInsideTheHeaderIsRejected() throws IOException {
        byte[] bytes = safetensors(VALID_HEADER, validData());
        onlyError(write(Arrays.copyOf(bytes, 40)), "/weights", "model.card.error.safetensors.header-length");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] data = Arrays.copyOf(validData(), 64);
        CardFieldError e = onlyError(write(safetensors(VALID_HEADER, data)), "/weights",
                "model.card.error.safetensors.trailing-bytes");
        assertThat(e.args()).containsExactly(4L);
    }

    @Test
    void headerThatIsNotJsonIsRejected() throws IOException {
        CardFieldError e = onlyError(write(safetensors("{\"w\": {\"dtype\": F32}}", new byte[0])), "/weights",
                "model.card.error.safetensors.header-json");
        assertThat((long) e.args()[0]).isPositive();
    }

    @Test
    void headerThatIsNotAnObjectIsNotSafetensors() throws IOException {
        onlyError(write(safetensors("[1, 2, 3]", new byte[0])), "/weights",
                "model.card.error.safetensors.not-safetensors");
    }

    @Test
    void absurdHeaderLengthIsRejected() throws IOException {
        byte[] bytes = new byte[64];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(SafetensorsInspector.MAX_HEADER_BYTES + 1);
        CardFieldError e = onlyError(write(bytes), "/weights", "model.card.error.safetensors.header-length");
        assertThat(e.args()).containsExactly(String.valueOf(SafetensorsInspector.MAX_HEADER_BYTES + 1), 64L,
                SafetensorsInspector.MAX_HEADER_BYTES);
    }

    @Test
    void zipFileIsRecognisedAsAnotherFormat() throws IOException {
        byte[] zip = new byte[200];
        zip[0] = 'P';
        zip[1] = 'K';
        zip[2] = 3;
        zip[3] = 4;
        zip[4] = 20;
        CardFieldError e = onlyError(write(zip), "/weights", "model.card.error.safetensors.other-format");
        assertThat((String) e.args()[0]).contains("ZIP");
    }

    @Test
    void tinyFileIsRejected() throws IOException {
        CardFieldError e = onlyError(write(new byte[] {1, 2, 3}), "/weights", "model.card.error.safetensors.too-small");
        assertThat(e.args()).containsExactly(3L);
    }

    @Test
    void byteLengthNotMatchingShapeIsRejected() throws IOException {
        String header = VALID_HEADER.replace("\"shape\":[3,4]", "\"shape\":[3,5]");
        CardFieldError e = onlyError(write(safetensors(header, validData())),
                "/weights/tensors/classifier.weight/data_offsets", "model.card.error.safetensors.byte-length");
        assertThat(e.args()).containsExactly("classifier.weight", 60L, 48L);
    }

    @Test
    void gapBetweenTensorsIsRejected() throws IOException {
        String header = """
                {"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
                "b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}""";
        CardFieldError e = onlyError(write(safetensors(header, new byte[16])),
                "/weights/tensors/b/data_offsets", "model.card.error.safetensors.not-contiguous");
        assertThat(e.args()).containsExactly("b", 8L, 12L);
    }

    @Test
    void overlappingTensorsAreRejected() throws IOException {
        String header = """
                {"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
                "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""";
        onlyError(write(safetensors(header, new byte[12])),
                "/weights/tensors/b/data_offsets", "model.card.error.safetensors.not-contiguous");
    }

    @Test
    void unknownDtypeIsRejected() throws IOException {
        String header = VALID_HEADER.replace("\"dtype\":\"F32\",\"shape\":[3]", "\"dtype\":\"F128\",\"shape\":[3]");
        CardFieldError e = onlyError(write(safetensors(header, validData())),
                "/weights/tensors/classifier.bias/dtype", "model.card.error.safetensors.dtype");
        assertThat(e.args()).containsExactly("classifier.bias", "F128");
    }

    @Test
    void negativeShapeAndBadOffsetsAreRejected() throws IOException {
        onlyError(write(safetensors(VALID_HEADER.replace("[3,4]", "[3,-4]"), validData())),
                "/weights/tensors/classifier.weight/shape", "model.card.error.safetensors.shape");
        onlyError(write(safetensors(VALID_HEADER.replace("[48,60]", "[60,48]"), validData())),
                "/weights/tensors/classifier.bias/data_offsets", "model.card.error.safetensors.offsets");
    }

    @Test
    void unexpectedTensorKeyAndNonStringMetadataAreRejected() throws IOException {
        onlyError(write(safetensors(VALID_HEADER.replace("\"dtype\":\"F32\",\"shape\":[3]",
                        "\"dtype\":\"F32\",\"grad\":true,\"shape\":[3]"), validData())),
                "/weights/tensors/classifier.bias/grad", "model.card.error.safetensors.tensor-entry");
        onlyError(write(safetensors(VALID_HEADER.replace("\"card\":\"iris\"", "\"card\":7"), validData())),
                "/weights/metadata/card", "model.card.error.safetensors.metadata");
    }

    @Test
    void tensorNamesAreEscapedAsJsonPointerSegments() throws IOException {
        String header = "{\"enc/layer~1\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,3]}}";
        onlyError(write(safetensors(header, new byte[3])),
                "/weights/tensors/enc~1layer~01/data_offsets", "model.card.error.safetensors.byte-length");
    }

    @Test
    void missingFileIsUnreadable() {
        onlyError(dir.resolve("nope.safetensors"), "/weights", "model.card.error.safetensors.unreadable");
    }
}
