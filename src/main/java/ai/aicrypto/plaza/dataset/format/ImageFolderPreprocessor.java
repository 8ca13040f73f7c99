package ai.aicrypto.plaza.dataset.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Second pass over a ZIP of image folders: each image encoded by the profile's preprocessing, its folder's class as label. */
final class ImageFolderPreprocessor {

    private ImageFolderPreprocessor() {
    }

    static List<Shard> preprocess(DatasetSource source, DatasetProfile profile, Path outDir, long maxShardBytes,
                                  DatasetLimits limits) throws IOException {
        Preprocessing encoding = profile.preprocessing();
        try (ImageFolderArchive archive = ImageFolderArchive.open(source, limits);
             ShardWriter out = new ShardWriter(outDir, archive.images().size(), encoding.featureCount(), false,
                     ShardMetadata.of(profile, List.of()), maxShardBytes)) {
            if (!archive.classes().equals(profile.classes())) {
                throw new IllegalStateException("classes differ from the profile's; did the file change?");
            }
            for (ImageFolderArchive.Image image : archive.images()) {
                out.write(encoding.encode(archive.decode(image)), image.classIndex());
            }
            return out.finish();
        }
    }
}
