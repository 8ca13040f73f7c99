package ai.aicrypto.plaza.worker.plaza;

import ai.aicrypto.plaza.worker.Log;
import ai.aicrypto.plaza.worker.data.Sha256;
import com.fasterxml.jackson.databind.ObjectMapper;

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
 * Training shards on local disk, exactly as downloaded: still encrypted, named by the SHA-256 of their bytes
 * ({@code shards/<sha256>}), so a later job on the same dataset finds them whatever its id. A manifest per dataset
 * ({@code datasets/<id>.json}, the list of its shards' hashes) tells which datasets are complete here; the
 * heartbeat reports them and the plaza prefers this worker for their jobs. Plaintext never touches the disk.
 */
public final class ShardCache {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

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
        List<Path> files = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        int downloaded = 0;
        for (Lease.ShardRef ref : lease.shards()) {
            if (!SHA256.matcher(ref.sha256()).matches()) throw new IOException("bad shard hash from the plaza: " + ref.sha256());
            Path file = shards.resolve(ref.sha256());
            synchronized (shardLocks.computeIfAbsent(ref.sha256(), hash -> new Object())) {
                if (!Files.exists(file) || Files.size(file) != ref.bytes()) {
                    download(ref, file, downloader);
                    downloaded++;
                }
            }
            files.add(file);
            hashes.add(ref.sha256());
        }
        Path manifest = Files.createTempFile(manifests, lease.datasetId() + "-", ".part");
        JSON.writeValue(manifest.toFile(), hashes);
        Files.move(manifest, manifests.resolve(lease.datasetId() + ".json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Log.info("dataset " + lease.datasetId() + ": " + (lease.shards().size() - downloaded) + " shard(s) from the cache, "
                + downloaded + " downloaded");
        return files;
    }

    private void download(Lease.ShardRef ref, Path file, Downloader downloader) throws IOException {
        Path part = shards.resolve(ref.sha256() + ".download");
        downloader.download(ref.seq(), part);
        String actual = Sha256.of(part);
        if (!actual.equals(ref.sha256())) {
            Files.deleteIfExists(part);
            throw new IOException("shard " + ref.seq() + " arrived with SHA-256 " + actual + ", expected " + ref.sha256());
        }
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Datasets whose every shard is here. */
    public List<Long> cachedDatasets() throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(manifests)) {
            for (Path manifest : list.filter(p -> p.getFileName().toString().matches("\\d+\\.json")).sorted().toList()) {
                String[] hashes = JSON.readValue(manifest.toFile(), String[].class);
                if (Stream.of(hashes).allMatch(h -> SHA256.matcher(h).matches() && Files.exists(shards.resolve(h)))) {
                    out.add(Long.parseLong(manifest.getFileName().toString().replace(".json", "")));
                }
            }
        }
        return out;
    }
}
