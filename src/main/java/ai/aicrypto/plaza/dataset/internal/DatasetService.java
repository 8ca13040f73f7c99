package ai.aicrypto.plaza.dataset.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingAccess;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.catalog.SearchFacts;
import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.catalog.ListingView;
import ai.aicrypto.plaza.dataset.DatasetProperties;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.TrainableDataset;
import ai.aicrypto.plaza.dataset.format.DatasetFormat;
import ai.aicrypto.plaza.dataset.format.DatasetFormatException;
import ai.aicrypto.plaza.dataset.format.DatasetProcessor;
import ai.aicrypto.plaza.dataset.format.DatasetProfile;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.dataset.format.DatasetSource;
import ai.aicrypto.plaza.dataset.format.Shard;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.FileSystemUtils;

@Service
class DatasetService implements Datasets {

    /** File names are only shown, never used as paths; still, refuse names that try to be paths. */
    private static final Pattern SAFE_FILE_NAME = Pattern.compile("[^/\\\\\\x00-\\x1f]{1,255}");
    private static final int MAX_TRAINABLE_LISTED = 200;

    private final Catalog catalog;
    private final ListingAccess access;
    private final DatasetRepository datasets;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final TransactionTemplate transaction;
    private final DatasetProcessor processor;
    private final Path workDir;
    private final long storageQuota;

    DatasetService(Catalog catalog, ListingAccess access, DatasetRepository datasets, BlobStore blobs, DataKeys dataKeys,
                   TransactionTemplate transaction, DatasetProperties properties, PlazaProperties plaza) {
        this.catalog = catalog;
        this.access = access;
        this.datasets = datasets;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.transaction = transaction;
        this.processor = new DatasetProcessor(properties.previewSize(), properties.maxShardBytes().toBytes(),
                properties.limits());
        this.storageQuota = properties.storageQuota().toBytes();
        this.workDir = plaza.dataDir().resolve("work");
    }

    @Override
    public List<TrainableDataset> trainableBy(long userId) {
        return datasets.trainingCandidates(userId, null).stream()
                .filter(d -> access.mayUse(userId, d.id())).limit(MAX_TRAINABLE_LISTED).toList();
    }

    /** Training needs what a full download needs: ownership or a license (free ones too). */
    @Override
    public Optional<TrainableDataset> trainableBy(long userId, long datasetId) {
        return datasets.trainingCandidates(userId, datasetId).stream().filter(d -> access.mayUse(userId, d.id())).findFirst();
    }

    @Override
    public long importDataset(long ownerId, DatasetUpload upload) {
        var listing = upload.listing().validated();
        checkFileName(upload.fileName(), "file");
        DatasetSource source = source(upload);
        List<String> written = new ArrayList<>();
        Path scratch = null;
        try {
            long rawBytes = Files.size(upload.file()) + (upload.labelsFile() == null ? 0 : Files.size(upload.labelsFile()));
            checkQuota(ownerId, rawBytes); // the raw files alone, before any work
            DatasetProfile profile = processor.profile(source, previewSeed(upload.file()));
            scratch = Files.createTempDirectory(Files.createDirectories(workDir), "dataset-");
            List<Shard> shards = processor.preprocess(source, profile, scratch);
            long shardBytes = 0;
            for (Shard shard : shards) {
                shardBytes += shard.bytes();
            }
            checkQuota(ownerId, rawBytes + shardBytes); // everything, before anything is encrypted and stored

            DataKeys.DataKey key = dataKeys.generate();
            // Each dataset has its own key, so the context only has to tell its blobs apart.
            List<PendingBlob> pending = new ArrayList<>();
            pending.add(new PendingBlob(StoredDataset.RAW, 0, upload.file(), null));
            if (upload.labelsFile() != null) {
                pending.add(new PendingBlob(StoredDataset.RAW, 1, upload.labelsFile(), null));
            }
            for (int i = 0; i < shards.size(); i++) {
                pending.add(new PendingBlob(StoredDataset.SHARD, i, shards.get(i).file(), shards.get(i).rows()));
            }
            List<StoredDataset.BlobRow> rows = new ArrayList<>();
            for (PendingBlob p : pending) {
                try (InputStream in = Files.newInputStream(p.file)) {
                    BlobStore.StoredBlob blob = key.encryptTo(blobs, in, p.context());
                    written.add(blob.key());
                    rows.add(new StoredDataset.BlobRow(p.role, p.seq, blob.key(), blob.bytes(), p.rows));
                }
            }
            long storing = rows.stream().mapToLong(StoredDataset.BlobRow::bytes).sum();
            return transaction.execute(status -> {
                datasets.lockStorageOf(ownerId);
                checkQuota(ownerId, storing); // again under the lock: another upload may have been stored meanwhile
                long id = catalog.create(ListingKind.DATASET, ownerId, listing, searchFacts(profile));
                datasets.insert(new StoredDataset(id, profile.format().name(), upload.fileName(), profile.labelColumn(),
                        profile.rowCount(), profile.featureCount(), rawBytes, profile, key.wrapped(), rows));
                return id;
            });
        } catch (DatasetFormatException e) {
            written.forEach(blobs::delete);
            throw new UserFacingException(e.messageKey().startsWith("dataset.error.class-names") ? "classNames"
                    : e.messageKey().startsWith("dataset.error.text-") ? "textColumns" : "file", e.messageKey(), e.args());
        } catch (IOException e) {
            written.forEach(blobs::delete);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            written.forEach(blobs::delete);
            throw e;
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
    }

    /** Refuses an upload that would take the member's datasets past the storage quota, saying how much is used. */
    private void checkQuota(long ownerId, long adding) {
        long used = datasets.storedBytesOf(ownerId);
        if (used + adding > storageQuota) {
            throw new UserFacingException("file", "dataset.error.quota", DataSizes.humanReadable(adding),
                    DataSizes.humanReadable(used), DataSizes.humanReadable(storageQuota));
        }
    }

    /** The dataset as its detail page shows it. */
    DatasetPage page(long id, AccountPrincipal viewer) {
        ListingView listing = catalog.view(id, ListingKind.DATASET, viewer);
        StoredDataset dataset = datasets.find(id).orElseThrow(NotFoundException::new);
        return new DatasetPage(listing, dataset, datasets.unvettedComputeAllowed(id));
    }

    /**
     * The owner's word on whether licensees may train on GPU offers without a verified record (whose providers
     * then receive the data while the job runs). Anyone else is told the dataset does not exist.
     */
    void allowUnvettedCompute(long id, AccountPrincipal viewer, boolean allowed) {
        if (viewer == null || page(id, viewer).listing().ownerId() != viewer.id()) {
            throw new NotFoundException();
        }
        datasets.allowUnvettedCompute(id, allowed);
    }

    /**
     * Decrypts one raw file of a dataset for download. Only the owner may: licensed access for
     * others comes with on-chain licenses.
     */
    RawFile openRaw(long id, int seq, AccountPrincipal viewer) {
        DatasetPage page = page(id, viewer);
        if (!mayUse(id, viewer)) {
            throw new NotFoundException();
        }
        return decryptRaw(page.dataset(), seq);
    }

    @Override
    public RawFiles rawFiles(long datasetId) {
        StoredDataset dataset = datasets.find(datasetId).orElseThrow(NotFoundException::new);
        List<String> names = dataset.blobs().stream().filter(b -> b.role().equals(StoredDataset.RAW))
                .sorted(Comparator.comparingInt(StoredDataset.BlobRow::seq))
                .map(b -> rawName(dataset, b.seq())).toList();
        return new RawFiles(names, dataset.rawBytes());
    }

    @Override
    public InputStream openRaw(long datasetId, int seq) {
        return decryptRaw(datasets.find(datasetId).orElseThrow(NotFoundException::new), seq).content();
    }

    private RawFile decryptRaw(StoredDataset dataset, int seq) {
        StoredDataset.BlobRow row = dataset.blobs().stream()
                .filter(b -> b.role().equals(StoredDataset.RAW) && b.seq() == seq)
                .findFirst().orElseThrow(NotFoundException::new);
        try {
            DataKeys.DataKey key = dataKeys.unwrap(dataset.wrappedDataKey());
            var content = new BufferedInputStream(key.decryptFrom(blobs, row.blobKey(), contextOf(row.role(), row.seq())));
            // Authenticate the first segment before the response starts, so tampering shows as an error page.
            content.mark(1);
            content.read();
            content.reset();
            return new RawFile(rawName(dataset, seq), content);
        } catch (GeneralSecurityException | IOException e) {
            throw new IntegrityException("Dataset " + dataset.listingId() + " cannot be decrypted", e);
        }
    }

    private static String rawName(StoredDataset dataset, int seq) {
        return seq == 0 ? dataset.originalName() : "labels-" + dataset.originalName();
    }

    /** Owners and licensees may download the data and train on it. */
    boolean mayUse(long id, AccountPrincipal viewer) {
        return viewer != null && access.mayUse(viewer.id(), id);
    }

    @Override
    public Optional<byte[]> contentHash(long listingId) {
        return datasets.find(listingId).flatMap(d -> d.blobs().stream()
                .filter(b -> b.role().equals(StoredDataset.RAW) && b.seq() == 0).findFirst())
                .map(b -> HexFormat.of().parseHex(b.blobKey()));
    }

    @Override
    public Preprocessing preprocessing(long datasetId) {
        return datasets.find(datasetId).orElseThrow(NotFoundException::new).profile().preprocessing();
    }

    @Override
    public int shardCount(long datasetId) {
        return (int) datasets.find(datasetId).orElseThrow(NotFoundException::new).blobs().stream()
                .filter(b -> b.role().equals(StoredDataset.SHARD)).count();
    }

    @Override
    public InputStream openShard(long datasetId, int seq) throws IOException {
        StoredDataset dataset = datasets.find(datasetId).orElseThrow(NotFoundException::new);
        StoredDataset.BlobRow row = dataset.blobs().stream()
                .filter(b -> b.role().equals(StoredDataset.SHARD) && b.seq() == seq)
                .findFirst().orElseThrow(NotFoundException::new);
        try {
            return dataKeys.unwrap(dataset.wrappedDataKey()).decryptFrom(blobs, row.blobKey(), contextOf(row.role(), row.seq()));
        } catch (GeneralSecurityException e) {
            throw new IntegrityException("Dataset " + datasetId + " cannot be decrypted", e);
        }
    }

    record DatasetPage(ListingView listing, StoredDataset dataset, boolean unvettedComputeAllowed) {
    }

    record RawFile(String name, InputStream content) {
    }

    /**
     * Column names and the format, so that a search for "species" or "idx" finds the dataset, and the task its
     * labels serve (none without a label column).
     */
    private static SearchFacts searchFacts(DatasetProfile profile) {
        var terms = new StringBuilder(profile.format().name().toLowerCase());
        profile.columns().forEach(c -> terms.append(' ').append(c.name()));
        Task task = profile.labelColumn() == null ? null : profile.regression() ? Task.REGRESSION : Task.CLASSIFICATION;
        return new SearchFacts(terms.toString(), task);
    }

    private DatasetSource source(DatasetUpload upload) {
        try {
            DatasetFormat format = DatasetFormat.detect(upload.file(), upload.fileName());
            if (format == DatasetFormat.IDX) {
                if (upload.labelsFile() == null) {
                    throw new UserFacingException("labelsFile", "dataset.error.idx-labels-required");
                }
                checkFileName(upload.labelsFileName(), "labelsFile");
                if (!upload.textColumns().isEmpty()) {
                    throw new UserFacingException("textColumns", "dataset.error.text-columns-idx");
                }
                return new DatasetSource(format, upload.file(), upload.labelsFile(), null, upload.classNames());
            }
            if (format == DatasetFormat.IMAGE_FOLDERS) {
                // The folders name the classes: anything else naming them would be ignored, so it is refused.
                if (upload.labelsFile() != null || !upload.classNames().isEmpty()
                        || (upload.labelColumn() != null && !upload.labelColumn().isBlank())) {
                    throw new UserFacingException("file", "dataset.error.zip-labels-given");
                }
                return DatasetSource.imageFolders(upload.file(), upload.imageOptions());
            }
            String label = upload.labelColumn() == null || upload.labelColumn().isBlank() ? null : upload.labelColumn().strip();
            if (label == null) {
                throw new UserFacingException("labelColumn", "dataset.error.label-required");
            }
            if (!upload.classNames().isEmpty()) {
                throw new UserFacingException("classNames", "dataset.error.class-names-csv");
            }
            return new DatasetSource(format, upload.file(), null, label, List.of(), upload.textColumns());
        } catch (DatasetFormatException e) {
            throw new UserFacingException("file", e.messageKey(), e.args());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkFileName(String name, String field) {
        if (name == null || name.isBlank()) {
            throw new UserFacingException(field, "dataset.error.no-file");
        }
        if (!SAFE_FILE_NAME.matcher(name).matches() || name.contains("..")) {
            throw new UserFacingException(field, "dataset.error.file-name", name);
        }
    }

    /** The preview is drawn with a seed taken from the content, so it is stable for a dataset. */
    private static long previewSeed(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String contextOf(String role, int seq) {
        return "dataset:" + role + ":" + seq;
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileSystemUtils.deleteRecursively(dir);
        } catch (IOException ignored) {
            // A stray scratch directory under data/work holds no secrets beyond the upload itself.
        }
    }

    private record PendingBlob(String role, int seq, Path file, Long rows) {

        String context() {
            return contextOf(role, seq);
        }
    }
}
