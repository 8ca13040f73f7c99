package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.data.BatchStream;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.Safetensors;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.data.ShardDirectoryData;
import ai.aicrypto.plaza.worker.data.ShardWriter;
import ai.aicrypto.plaza.worker.data.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsShardTest {

    @TempDir
    Path dir;

    private static Shard sample(int rows, int fc, boolean classification) {
        float[] f = new float[rows * fc];
        for (int i = 0; i < f.length; i++) f[i] = i * 0.25f - 3f;
        int[] labels = new int[rows];
        float[] targets = new float[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i % 3;
            targets[i] = i * 1.5f;
        }
        return classification ? new Shard(rows, fc, f, labels, null) : new Shard(rows, fc, f, null, targets);
    }

    @Test
    void shardsRoundTripInTheAppsLayout() throws Exception {
        Shard all = sample(25, 4, true);
        List<Path> files = ShardWriter.write(dir, all, 10, List.of("a", "b", "c"), "csv");
        assertEquals(3, files.size());
        assertEquals("shard-00002.safetensors", files.get(2).getFileName().toString());

        // Raw layout: 8-byte little-endian header length, space-padded JSON to a multiple of 8, then the data.
        byte[] raw = Files.readAllBytes(files.get(0));
        long n = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        assertEquals(8 + n + 10 * 4 * 4 + 10 * 8, raw.length);
        String header = new String(raw, 8, (int) n).strip();
        assertTrue(header.contains("\"features\":{\"dtype\":\"F32\",\"shape\":[10,4]"), header);
        assertTrue(header.contains("\"labels\":{\"dtype\":\"I64\",\"shape\":[10]"), header);

        ShardDirectoryData data = ShardDirectoryData.open(dir);
        assertEquals(25, data.rows());
        assertEquals(3, data.shardCount());
        assertEquals(4, data.featureCount());
        assertEquals(Task.CLASSIFICATION, data.task());
        assertEquals(List.of("a", "b", "c"), data.classes());
        assertEquals(5, data.shardRows(2));
        Shard s1 = data.shard(1);
        assertArrayEquals(Arrays.copyOfRange(all.features(), 40, 80), s1.features());
        assertArrayEquals(Arrays.copyOfRange(all.labels(), 10, 20), s1.labels());
        Map<String, String> meta = Safetensors.readHeader(files.get(0)).metadata();
        assertEquals("aiplaza-dataset-v1", meta.get("format"));
        assertEquals("classification", meta.get("task"));
    }

    @Test
    void regressionTargetsRoundTrip() throws Exception {
        Shard all = sample(7, 3, false);
        ShardWriter.write(dir, all, 100, List.of(), "csv");
        ShardDirectoryData data = ShardDirectoryData.open(dir);
        assertEquals(Task.REGRESSION, data.task());
        Shard s = data.shard(0);
        assertNull(s.labels());
        assertArrayEquals(all.targets(), s.targets());
        assertArrayEquals(all.features(), s.features());
    }

    @Test
    void shuffledEpochVisitsEveryRowOnceAcrossShardsAndIsSeeded() throws Exception {
        Shard all = sample(23, 2, true);
        ShardWriter.write(dir, all, 5, List.of("a", "b", "c"), "csv");
        ShardDirectoryData data = ShardDirectoryData.open(dir);
        int[] first = epochOrder(data, 4, 11, 1);
        int[] sorted = first.clone();
        Arrays.sort(sorted);
        int[] expected = new int[23];
        for (int i = 0; i < 23; i++) expected[i] = i;
        assertArrayEquals(expected, sorted, "every row exactly once");
        assertFalse(Arrays.equals(expected, first), "shuffled");
        assertArrayEquals(first, epochOrder(data, 4, 11, 1), "same seed and epoch, same order");
        assertFalse(Arrays.equals(first, epochOrder(data, 4, 11, 2)), "next epoch, new order");
        assertFalse(Arrays.equals(first, epochOrder(data, 4, 12, 1)), "other seed, other order");
    }

    /** Row ids recovered from the first feature (row r has feature 0 = r * 2 * 0.25 - 3). */
    private static int[] epochOrder(ShardDirectoryData data, int batchSize, long seed, int epoch) throws Exception {
        BatchStream s = new BatchStream(data, batchSize, true, seed, epoch);
        BatchStream.Batch b = s.newBatch();
        int[] order = new int[(int) data.rows()];
        int k = 0;
        int batches = 0;
        while (s.next(b)) {
            batches++;
            for (int i = 0; i < b.size; i++) {
                int row = Math.round((b.x[i * 2] + 3f) / 0.5f);
                assertEquals(row % 3, b.classes[i], "label travels with its row");
                order[k++] = row;
            }
        }
        assertEquals(23, k);
        assertEquals(6, batches, "batches run across shard boundaries");
        return order;
    }

    @Test
    void weightTensorsRoundTripWithMetadata() throws Exception {
        Map<String, FloatTensor> w = new LinkedHashMap<>();
        w.put("layers.0.weight", FloatTensor.of(new float[]{1, -2, 3.5f, 4, 5, 6}, 2, 3));
        w.put("layers.0.bias", FloatTensor.of(new float[]{0.5f, -0.5f}, 2));
        Path f = dir.resolve("w.safetensors");
        Safetensors.writeF32(f, w, Map.of("template", "mlp"));
        assertEquals(w, Safetensors.readAllF32(f));
        assertEquals("mlp", Safetensors.readHeader(f).metadata().get("template"));
    }

    @Test
    void rejectsCorruptHeaders() throws Exception {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[]{(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertThrows(java.io.IOException.class, () -> Safetensors.readHeader(f));
    }
}
