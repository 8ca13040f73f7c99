package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Second pass over an IDX pair: pixels scaled to [0, 1] as features, labels as indices into the classes. */
final class IdxPreprocessor {

    private IdxPreprocessor() {
    }

    static List<Shard> preprocess(DatasetSource source, DatasetProfile profile, Path outDir, long maxShardBytes,
                                  DatasetLimits limits) throws IOException {
        long[] classIndex = new long[256];
        Arrays.fill(classIndex, -1);
        for (int i = 0; i < profile.classes().size(); i++) {
            classIndex[Integer.parseInt(profile.classes().get(i))] = i;
        }
        try (IdxExamples examples = IdxExamples.open(source, limits);
             ShardWriter out = new ShardWriter(outDir, examples.count(), examples.pixels(), false,
                     ShardMetadata.of(profile, List.of()), maxShardBytes)) {
            byte[] pixels = new byte[examples.pixels()];
            float[] features = new float[pixels.length];
            for (int label = examples.next(pixels); label >= 0; label = examples.next(pixels)) {
                if (classIndex[label] < 0) {
                    throw new IllegalStateException("label not in profile classes; did the file change?");
                }
                for (int i = 0; i < pixels.length; i++) {
                    features[i] = (pixels[i] & 0xff) / 255f;
                }
                out.write(features, classIndex[label]);
            }
            return out.finish();
        }
    }
}
