package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.BlobLifetimes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Temporary files a crash (kill -9, power loss) left on this instance's disk: blobs being spooled while their key is
 * computed ({@code blobs/incoming/*.part}) and uploads and work files under {@code work} (the container's multipart
 * spool {@code work/multipart} included). Whatever writes one deletes it when done, within a request or a job's step,
 * so one untouched for an hour ({@link BlobLifetimes#temporaryFilesStaleAfter}) is left over: it is deleted at start-up
 * and every ten minutes. A dataset import's
 * directory ({@code work/import-*}) is its import's to delete, even past an hour. No lease: each instance its own disk.
 */
@Component
class StaleTemporaryFiles {

    private static final Logger log = LoggerFactory.getLogger(StaleTemporaryFiles.class);

    private final List<Path> roots;
    private final Duration staleAfter;

    StaleTemporaryFiles(PlazaProperties plaza, BlobLifetimes lifetimes) {
        this.roots = List.of(plaza.dataDir().resolve("blobs").resolve("incoming"), plaza.dataDir().resolve("work"));
        this.staleAfter = lifetimes.temporaryFilesStaleAfter();
    }

    @Scheduled(fixedDelay = 600_000, initialDelay = 0)
    void deleteStale() {
        int deleted = deleteUntouchedSince(Instant.now().minus(staleAfter));
        if (deleted > 0) {
            log.info("Deleted {} temporary files left over by an earlier run", deleted);
        }
    }

    /** @return how many files were deleted */
    int deleteUntouchedSince(Instant cutoff) {
        int[] deleted = {0};
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                        return dir.getFileName().toString().startsWith("import-") ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                        if (attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(cutoff)
                                && Files.deleteIfExists(file)) {
                            deleted[0]++;
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE; // deleted meanwhile by its owner
                    }
                });
            } catch (NoSuchFileException e) {
                // the directory went meanwhile
            } catch (IOException e) {
                log.warn("Could not look for stale temporary files in {}: {}", root, e.toString());
            }
        }
        return deleted[0];
    }
}
