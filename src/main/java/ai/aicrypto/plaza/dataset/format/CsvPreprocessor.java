package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Second pass over a CSV/TSV file: encodes every row with a label into the shards. Rows without label are skipped. */
final class CsvPreprocessor {

    private CsvPreprocessor() {
    }

    static List<Shard> preprocess(DatasetSource source, DatasetProfile profile, Path outDir, long maxShardBytes,
                                  DatasetLimits limits) throws IOException {
        Preprocessing preprocessing = profile.preprocessing();
        long labeledRows = profile.rowCount() - profile.column(profile.labelColumn()).missing();
        Map<String, Integer> classIndex = new HashMap<>();
        profile.classes().forEach(c -> classIndex.put(c, classIndex.size()));
        try (TableRows rows = TableRows.open(source, limits);
             ShardWriter out = new ShardWriter(outDir, labeledRows, preprocessing.featureCount(), profile.regression(),
                     ShardMetadata.of(profile, preprocessing.featureNames()), maxShardBytes)) {
            List<String> expected = profile.columns().stream().map(ColumnProfile::name).toList();
            if (!rows.header().equals(expected)) {
                throw new IllegalStateException("the file header does not match the profile");
            }
            int labelIndex = expected.indexOf(profile.labelColumn());
            Preprocessing.RowEncoder features = preprocessing.rowEncoder(expected);
            float[] encoded = new float[preprocessing.featureCount()];
            for (String[] row = rows.next(); row != null; row = rows.next()) {
                String label = row[labelIndex];
                if (Values.isMissing(label)) {
                    continue;
                }
                features.encode(row, encoded);
                if (profile.regression()) {
                    out.writeTarget(encoded, Float.parseFloat(label));
                } else {
                    Integer index = classIndex.get(label);
                    if (index == null) {
                        throw new IllegalStateException("label not in profile classes; did the file change?");
                    }
                    out.write(encoded, index);
                }
            }
            return out.finish();
        }
    }
}
