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
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.ListingAccess;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.catalog.SearchFacts;
import ai.aicrypto.plaza.catalog.Task;
import ai.aicrypto.plaza.catalog.ListingView;
import ai.aicrypto.plaza.dataset.DatasetProperties;
import ai.aicrypto.plaza.dataset.DatasetTrainingGrants;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.TrainableDataset;
import ai.aicrypto.plaza.dataset.format.DatasetFormat;
import ai.aicrypto.plaza.dataset.format.DatasetFormatException;
import ai.aicrypto.plaza.dataset.format.DatasetProcessor;
import ai.aicrypto.plaza.dataset.format.DatasetProfile;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.dataset.format.DatasetSource;
import ai.aicrypto.plaza.dataset.format.ReadProgress;
import ai.aicrypto.plaza.dataset.format.Shard;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.transaction.support.TransactionTemplate;

@Service
class DatasetService implements Datasets {

    /** File names are only shown, never used as paths; still, refuse names that try to be paths. */
    private static final Pattern SAFE_FILE_NAME = Pattern.compile("[^/\\\\\\x00-\\x1f]{1,255}");
    private static final int MAX_TRAINABLE_LISTED = 200;
    private static final Logger log = LoggerFactory.getLogger(DatasetService.class);

    private final Catalog catalog;
    private final ListingAccess access;
    private final ObjectProvider<DatasetTrainingGrants> grants;
    private final DatasetRepository datasets;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final TransactionTemplate transaction;
    private final DatasetProcessor processor;
    private final DatasetImports imports;
    private final long storageQuota;

    DatasetService(Catalog catalog, ListingAccess access, DatasetRepository datasets, BlobStore blobs, DataKeys dataKeys,
                   TransactionTemplate transaction, DatasetProperties properties, DatasetImports imports,
                   ObjectProvider<DatasetTrainingGrants> grants) {
        this.grants = grants;
        this.catalog = catalog;
        this.access = access;
        this.datasets = datasets;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.transaction = transaction;
        this.processor = new DatasetProcessor(properties.previewSize(), properties.maxShardBytes().toBytes(),
                properties.limits());
        this.storageQuota = properties.storageQuota().toBytes();
        this.imports = imports;
    }

    @Override
    public List<TrainableDataset> trainableBy(long userId) {
        Set<Long> granted = grantedTo(userId);
        return datasets.trainingCandidates(userId, null, granted).stream()
                .filter(d -> granted.contains(d.id()) || access.mayUse(userId, d.id())).limit(MAX_TRAINABLE_LISTED).toList();
    }

    /** Training needs what a full download needs: ownership or a license (free ones too), or a grant (a competition's). */
    @Override
    public Optional<TrainableDataset> trainableBy(long userId, long datasetId) {
        Set<Long> granted = grantedTo(userId);
        return datasets.trainingCandidates(userId, datasetId, granted).stream()
                .filter(d -> granted.contains(d.id()) || access.mayUse(userId, d.id())).findFirst();
    }

    private Set<Long> grantedTo(long userId) {
        Set<Long> granted = new HashSet<>();
        grants.forEach(g -> granted.addAll(g.grantedTo(userId)));
        return granted;
    }

    /** On the caller's thread, through the same import as an upload's: the import's page shows it too. */
    @Override
    public long importDataset(long ownerId, DatasetUpload upload) {
        return process(accept(ownerId, upload));
    }

    /**
     * Checks at once what is cheap to check (the listing, file names, the format, a table's header, an IDX pair's
     * headers, a ZIP's directory, the storage quota for the raw files), records the import PROCESSING and runs the
     * rest in {@code place}. The upload's files become the import's: they are deleted when it ends.
     *
     * @return the import's id
     * @throws UserFacingException for an upload refused at once (its files then stay the caller's)
     */
    long startImport(long ownerId, DatasetUpload upload, ImportExecutor.Place place) {
        Accepted accepted = accept(ownerId, upload);
        Accepted owned;
        try {
            owned = accepted.movedInto(Files.createDirectories(imports.workDir(accepted.importId())));
        } catch (IOException | RuntimeException e) {
            imports.release(accepted.importId());
            imports.refuse(accepted.importId(), DatasetImports.REFUSED_FAILED);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        place.start(() -> {
            try {
                process(owned);
            } catch (RuntimeException e) {
                // Recorded as the import's end by process(); its page tells the uploader.
            }
        });
        return accepted.importId();
    }

    private Accepted accept(long ownerId, DatasetUpload upload) {
        var listing = upload.listing().validated();
        checkFileName(upload.fileName(), "file");
        DatasetSource source = source(upload);
        try {
            processor.inspect(source);
            long rawBytes = Files.size(upload.file()) + (upload.labelsFile() == null ? 0 : Files.size(upload.labelsFile()));
            checkQuota(ownerId, rawBytes); // the raw files alone, before any work
            long importId = imports.begin(ownerId, listing.title(), upload.fileName());
            return new Accepted(importId, ownerId, listing, upload, source, rawBytes);
        } catch (DatasetFormatException e) {
            throw userFacing(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Profiles, preprocesses, encrypts and stores an accepted upload, and ends its import: READY with the dataset, all
     * or nothing, or REFUSED with the reason and nothing left behind (no blob, row or key).
     *
     * @return the id of the new listing
     * @throws UserFacingException for input the user must fix (the import is refused with it)
     */
    private long process(Accepted accepted) {
        long importId = accepted.importId();
        DatasetUpload upload = accepted.upload();
        try {
            long seed = previewSeed(upload.file(), imports.step(importId, DatasetImport.Step.HASHING, Files.size(upload.file()), null));
            DatasetProfile profile = processor.profile(accepted.source().withProgress(
                    imports.step(importId, DatasetImport.Step.PROFILING, accepted.rawBytes(), null)), seed);
            Path scratch = Files.createDirectories(imports.workDir(importId).resolve("shards"));
            List<Shard> shards = processor.preprocess(accepted.source().withProgress(
                    imports.step(importId, DatasetImport.Step.PREPROCESSING, accepted.rawBytes(), profile.rowCount())),
                    profile, scratch);
            long shardBytes = 0;
            for (Shard shard : shards) {
                shardBytes += shard.bytes();
            }
            long ownerId = accepted.ownerId();
            checkQuota(ownerId, accepted.rawBytes() + shardBytes); // everything, before anything is encrypted and stored

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
            ReadProgress encrypting = imports.step(importId, DatasetImport.Step.ENCRYPTING,
                    accepted.rawBytes() + shardBytes, profile.rowCount());
            List<StoredDataset.BlobRow> rows = new ArrayList<>();
            for (PendingBlob p : pending) {
                try (InputStream in = encrypting.counting(Files.newInputStream(p.file))) {
                    BlobStore.StoredBlob blob = imports.storeBlob(importId, key, in, p.context());
                    rows.add(new StoredDataset.BlobRow(p.role, p.seq, blob.key(), blob.bytes(), p.rows));
                }
            }
            long storing = rows.stream().mapToLong(StoredDataset.BlobRow::bytes).sum();
            imports.release(importId);
            return transaction.execute(status -> {
                datasets.lockStorageOf(ownerId);
                checkQuota(ownerId, storing); // again under the lock: another upload may have been stored meanwhile
                long id = catalog.create(ListingKind.DATASET, ownerId, accepted.listing(), searchFacts(profile));
                datasets.insert(new StoredDataset(id, profile.format().name(), upload.fileName(), profile.labelColumn(),
                        profile.rowCount(), profile.featureCount(), accepted.rawBytes(), profile, key.wrapped(), rows));
                imports.ready(importId, id);
                return id;
            });
        } catch (DatasetImports.Abandoned e) {
            imports.release(importId);
            throw e; // refused elsewhere, which deleted what it had stored
        } catch (DatasetFormatException e) {
            UserFacingException refusal = userFacing(e);
            imports.release(importId);
            imports.refuse(importId, refusal.messageKey(), refusal.args());
            throw refusal;
        } catch (UserFacingException e) {
            imports.release(importId);
            imports.refuse(importId, e.messageKey(), e.args());
            throw e;
        } catch (IOException | RuntimeException e) {
            log.error("Dataset import {} failed", importId, e);
            imports.release(importId);
            imports.refuse(importId, DatasetImports.REFUSED_FAILED);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** A format error as the form shows it, at the field it concerns. */
    private static UserFacingException userFacing(DatasetFormatException e) {
        return new UserFacingException(e.messageKey().startsWith("dataset.error.class-names") ? "classNames"
                : e.messageKey().startsWith("dataset.error.text-") ? "textColumns" : "file", e.messageKey(), e.args());
    }

    /**
     * An upload checked and recorded as an import, with what processing it needs.
     *
     * @param rawBytes the upload's files together, as uploaded
     */
    private record Accepted(long importId, long ownerId, ListingDraft listing, DatasetUpload upload,
                            DatasetSource source, long rawBytes) {

        /** The same, its files moved into {@code dir} (a rename on the same disk). */
        Accepted movedInto(Path dir) throws IOException {
            Path file = Files.move(upload.file(), dir.resolve("raw-0"));
            Path labels = upload.labelsFile() == null ? null : Files.move(upload.labelsFile(), dir.resolve("raw-1"));
            DatasetUpload moved = new DatasetUpload(upload.listing(), file, upload.fileName(), labels,
                    upload.labelsFileName(), upload.labelColumn(), upload.classNames(), upload.textColumns(),
                    upload.imageOptions());
            DatasetSource movedSource = new DatasetSource(source.format(), file, labels, source.labelColumn(),
                    source.classNames(), source.textColumns(), source.imageOptions());
            return new Accepted(importId, ownerId, listing, moved, movedSource, rawBytes);
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
    private static long previewSeed(Path file, ReadProgress progress) throws IOException {
        try (InputStream in = progress.counting(Files.newInputStream(file))) {
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

    private record PendingBlob(String role, int seq, Path file, Long rows) {

        String context() {
            return contextOf(role, seq);
        }
    }
}
