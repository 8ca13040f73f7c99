package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.Log;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training shards on local disk, exactly as downloaded: still encrypted (under this worker's key), named by the
 * content id the lease gives ({@code shards/<contentId>}), so a later job on the same dataset finds them whatever its
 * id. The plaza gives a shard the same id and the same bytes in every lease until the dataset's shards are
 * re-encrypted; then the ids are new and the shards are downloaded again. A download is kept only once it decrypts
 * with the lease's key (the GCM tag authenticates it). A manifest per dataset ({@code datasets/<id>.json}, the list
 * of its shards' ids) tells which datasets are complete here; the heartbeat reports them and the plaza prefers this
 * worker for their jobs. Plaintext never touches the disk.
 */
public final class ShardCache {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONTENT_ID = Pattern.compile("[0-9a-f]{64}");

    public interface Downloader {
        void download(int seq, Path target) throws IOException;
    }

    private final Path shards;
    private final Path manifests;
    private final Map<String, Object> shardLocks = new ConcurrentHashMap<>();

    public ShardCache(Path root) throws IOException {
        this.shards = Files.createDirectories(root.resolve("shards"));
        this.manifests = Files.createDirectories(root.resolve("datasets"));
    }

    /**
     * The cached files of the lease's shards, downloading (and checking) those not here yet. Slots may fetch the same
     * dataset at once: a shard is downloaded by one of them while the others wait for it.
     */
    public List<Path> fetch(Lease lease, Downloader downloader) throws IOException {
        SecretKeySpec key = EncryptedShardData.key(lease.shardKey());
        List<Path> files = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        int downloaded = 0;
        for (Lease.ShardRef ref : lease.shards()) {
            if (!CONTENT_ID.matcher(ref.contentId()).matches()) throw new IOException("bad shard id from the plaza: " + ref.contentId());
            Path file = shards.resolve(ref.contentId());
            synchronized (shardLocks.computeIfAbsent(ref.contentId(), id -> new Object())) {
                if (!Files.exists(file) || Files.size(file) != ref.bytes()) {
                    download(ref, file, key, downloader);
                    downloaded++;
                }
            }
            files.add(file);
            ids.add(ref.contentId());
        }
        Path manifest = Files.createTempFile(manifests, lease.datasetId() + "-", ".part");
        JSON.writeValue(manifest.toFile(), ids);
        Files.move(manifest, manifests.resolve(lease.datasetId() + ".json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Log.info("dataset " + lease.datasetId() + ": " + (lease.shards().size() - downloaded) + " shard(s) from the cache, "
                + downloaded + " downloaded");
        return files;
    }

    private void download(Lease.ShardRef ref, Path file, SecretKeySpec key, Downloader downloader) throws IOException {
        Path part = shards.resolve(ref.contentId() + ".download");
        downloader.download(ref.seq(), part);
        try {
            if (Files.size(part) != ref.bytes()) {
                throw new IOException("shard " + ref.seq() + " arrived with " + Files.size(part) + " bytes, expected " + ref.bytes());
            }
            EncryptedShardData.decrypt(Files.readAllBytes(part), key, ref.seq());
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Datasets whose every shard is here. */
    public List<Long> cachedDatasets() throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(manifests)) {
            for (Path manifest : list.filter(p -> p.getFileName().toString().matches("\\d+\\.json")).sorted().toList()) {
                String[] ids = JSON.readValue(manifest.toFile(), String[].class);
                if (Stream.of(ids).allMatch(id -> CONTENT_ID.matcher(id).matches() && Files.exists(shards.resolve(id)))) {
                    out.add(Long.parseLong(manifest.getFileName().toString().replace(".json", "")));
                }
            }
        }
        return out;
    }
}
