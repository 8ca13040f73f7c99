package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.scoring.SampleSubmission;
import ai.aicrypto.plaza.competition.scoring.Solution;
import ai.aicrypto.plaza.competition.scoring.Problem;
import ai.aicrypto.plaza.competition.scoring.TestInputs;
import ai.aicrypto.plaza.competition.scoring.TestInputsRejected;
import ai.aicrypto.plaza.dataset.DatasetProperties;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.DatasetFormatException;
import ai.aicrypto.plaza.dataset.format.IdImageArchive;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What participants download: the training dataset's raw files and, for each phase, the test inputs (features of the
 * test rows, no labels: a CSV, or for an image competition a ZIP of images named by their ids) and a sample submission generated from the phase's solution. The test inputs and the sample
 * are stored encrypted under the competition's data key; only the host and participants who joined may download anything. The solution
 * itself is never among these files.
 */
@Component
class CompetitionFiles {

    enum Kind { TEST_INPUTS, SAMPLE }


    /** An encrypted file written to the blob store, not yet recorded (or recorded in the caller's transaction). */
    record Stored(Kind kind, String fileName, String blobKey, long bytes, int rows) {
    }

    /** A file as the competition page lists it: its download path under the competition, name and size. */
    public record Listed(String path, String name, long bytes, Integer rows) {
        public String size() {
            return DataSizes.humanReadable(bytes);
        }
    }

    /** An opened download. */
    record Download(String name, InputStream content) {
    }

    private final JdbcClient jdbc;
    private final BlobStore blobs;
    private final DataKeys dataKeys;
    private final PendingBlobs pendingBlobs;
    private final Datasets datasets;
    private final TeamService teams;
    private final Path workDir;
    private final DataCompetitions data;
    private final long maxImagesBytes;

    CompetitionFiles(JdbcClient jdbc, BlobStore blobs, DataKeys dataKeys, PendingBlobs pendingBlobs, Datasets datasets,
                     TeamService teams, PlazaProperties plaza, DataCompetitions data, DatasetProperties datasetLimits) {
        this.data = data;
        this.maxImagesBytes = datasetLimits.maxDecompressedSize().toBytes();
        this.jdbc = jdbc;
        this.blobs = blobs;
        this.dataKeys = dataKeys;
        this.pendingBlobs = pendingBlobs;
        this.datasets = datasets;
        this.teams = teams;
        this.workDir = plaza.dataDir().resolve("work");
    }

    static String context(Kind kind) {
        return "competition:file:" + kind.name();
    }

    /**
     * Encrypts the test inputs (when given, already {@linkplain TestInputs#check checked}) and a sample submission
     * into the blob store. On failure nothing written is left behind.
     */
    List<Stored> write(DataKeys.DataKey key, String fileStem, Solution solution, Path testInputsFile, TestInputs inputs) {
        List<Stored> written = new ArrayList<>();
        try {
            if (testInputsFile != null) {
                written.add(encrypt(key, Kind.TEST_INPUTS, fileStem + (inputs.images() ? "-test-images.zip" : "-test.csv"),
                        testInputsFile, inputs.rows()));
            }
            written.add(sample(key, fileStem, solution, inputs));
            return written;
        } catch (IOException | RuntimeException e) {
            deleteBlobs(written);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Writes the sample submission for {@code solution}, in the test inputs' order when there are some. */
    Stored sample(DataKeys.DataKey key, String fileStem, Solution solution, TestInputs inputs) throws IOException {
        Path file = Files.createTempFile(Files.createDirectories(workDir), "sample-", ".csv");
        try {
            try (OutputStream out = Files.newOutputStream(file)) {
                SampleSubmission.write(solution, inputs, out);
            }
            return encrypt(key, Kind.SAMPLE, fileStem + "-sample-submission.csv", file, solution.size());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Stored encrypt(DataKeys.DataKey key, Kind kind, String name, Path file, int rows) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            String blobKey = pendingBlobs.encrypt(key, in, context(kind)).key();
            return new Stored(kind, name, blobKey, Files.size(file), rows);
        }
    }

    /** Records a phase's files just written, replacing those of the same kind; run in the caller's transaction. */
    void record(long phaseId, List<Stored> files) {
        for (Stored f : files) {
            jdbc.sql("""
                            INSERT INTO competition_files (phase_id, kind, file_name, blob_key, bytes, rows)
                            VALUES (?, ?, ?, ?, ?, ?)
                            ON CONFLICT (phase_id, kind) DO UPDATE SET file_name = EXCLUDED.file_name,
                                blob_key = EXCLUDED.blob_key, bytes = EXCLUDED.bytes, rows = EXCLUDED.rows""")
                    .params(phaseId, f.kind().name(), f.fileName(), f.blobKey(), f.bytes(), f.rows())
                    .update();
            pendingBlobs.kept(f.blobKey());
        }
    }

    /** Deletes files written but not recorded. */
    void deleteBlobs(List<Stored> files) {
        files.forEach(f -> pendingBlobs.discard(f.blobKey()));
    }

    Optional<Stored> find(CompetitionPhase phase, Kind kind) {
        return jdbc.sql("SELECT * FROM competition_files WHERE phase_id = ? AND kind = ?")
                .params(phase.id(), kind.name())
                .query((rs, n) -> new Stored(kind, rs.getString("file_name"), rs.getString("blob_key"),
                        rs.getLong("bytes"), rs.getInt("rows")))
                .optional();
    }

    /**
     * Checks test inputs uploaded by the host against {@code solution}: a ZIP of images named by their ids, or a CSV.
     *
     * @throws ai.aicrypto.plaza.competition.scoring.TestInputsRejected with every problem found
     */
    TestInputs check(Solution solution, Path testInputsFile) {
        try {
            if (IdImageArchive.isZip(testInputsFile)) {
                return checkImages(solution, testInputsFile);
            }
            try (InputStream in = Files.newInputStream(testInputsFile)) {
                return TestInputs.check(solution, in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestInputs checkImages(Solution solution, Path zip) throws IOException {
        try (IdImageArchive images = openImages(zip)) {
            return TestInputs.checkImages(solution, images.ids());
        }
    }

    /**
     * Opens a ZIP of test images.
     *
     * @throws TestInputsRejected why it is no such ZIP, in the dataset upload's words
     */
    IdImageArchive openImages(Path zip) throws IOException {
        try {
            return IdImageArchive.open(zip, maxImagesBytes);
        } catch (DatasetFormatException e) {
            throw new TestInputsRejected(List.of(new Problem(e.messageKey(), List.of(e.args()))));
        }
    }

    /** A phase's test inputs checked again against {@code solution} (a fixed one), or null when the host gave none. */
    TestInputs recheck(CompetitionPhase phase, Solution solution) {
        Optional<Stored> stored = find(phase, Kind.TEST_INPUTS);
        if (stored.isEmpty()) {
            return null;
        }
        if (phase.testImages()) {
            return withTestImages(phase, zip -> checkImages(solution, zip));
        }
        try (InputStream in = decrypt(phase, stored.get())) {
            return TestInputs.check(solution, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An action on the file of the phase's hidden test inputs, decrypted for the action only (a ZIP is read at random). */
    interface ZipAction<T> {
        T apply(Path zip) throws IOException;
    }

    /**
     * Runs {@code action} on the phase's test images, decrypted into a work file deleted afterwards.
     *
     * @throws ai.aicrypto.plaza.platform.UserFacingException when the host gave no test inputs
     */
    <T> T withTestImages(CompetitionPhase phase, ZipAction<T> action) {
        Stored stored = find(phase, Kind.TEST_INPUTS).orElseThrow(
                () -> new UserFacingException(null, "competition.error.code-needs-test-inputs"));
        Path file = null;
        try {
            file = Files.createTempFile(Files.createDirectories(workDir), "test-images-", ".zip");
            try (InputStream in = decrypt(phase, stored)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return action.apply(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                file.toFile().delete();
            }
        }
    }

    /** A phase's hidden test inputs, for the plaza's own run of a code submission; empty when the host gave none. */
    Optional<InputStream> openTestInputs(CompetitionPhase phase) {
        return find(phase, Kind.TEST_INPUTS).map(stored -> decrypt(phase, stored));
    }

    /**
     * The files of a competition for its page: the training data, the phase's test inputs and sample submission. A data
     * competition offers only its training data (the format to follow): its participants compete with data, and test
     * inputs in their hands could be labelled and trained on. A code competition lists its test inputs and sample to
     * its host only ({@link #participantsSeeTestInputs}).
     */
    List<Listed> list(Competition c, CompetitionPhase phase, AccountPrincipal who) {
        List<Listed> listed = new ArrayList<>();
        if (c.datasetId() != null) {
            Datasets.RawFiles raw = datasets.rawFiles(c.datasetId());
            for (int seq = 0; seq < raw.names().size(); seq++) {
                // The sizes of an IDX pair are known together only; a single file's is its own.
                listed.add(new Listed("training/" + seq, raw.names().get(seq), raw.names().size() == 1 ? raw.bytes() : -1,
                        null));
            }
        }
        if (data.isData(c) || !participantsSeeTestInputs(c) && !c.hostedBy(who)) {
            return listed;
        }
        find(phase, Kind.TEST_INPUTS).ifPresent(f -> listed.add(new Listed("test-inputs", f.fileName(), f.bytes(), f.rows())));
        find(phase, Kind.SAMPLE).ifPresent(f -> listed.add(new Listed("sample-submission", f.fileName(), f.bytes(), f.rows())));
        return listed;
    }

    /** The total size of the training dataset's raw files, for an IDX pair whose files are listed without one. */
    long trainingBytes(Competition c) {
        return c.datasetId() == null ? 0 : datasets.rawFiles(c.datasetId()).bytes();
    }

    /** Whether {@code who} may download the competition's files: its host and those who joined. */
    boolean mayDownload(Competition c, AccountPrincipal who) {
        return who != null && (c.hostedBy(who) || teams.teamOf(c.id(), who.id()).isPresent());
    }

    /**
     * Whether the participants of a competition get its test inputs (and the sample submission made from them): not in
     * a code competition, where the plaza runs their models on them, nor in a data competition.
     */
    boolean participantsSeeTestInputs(Competition c) {
        return !c.modelsOnly() && !data.isData(c);
    }

    /**
     * Opens one of a phase's files for the host or a participant (in a data or a code competition, for the host only);
     * anyone else gets a 404.
     */
    Download open(Competition c, CompetitionPhase phase, AccountPrincipal who, Kind kind) {
        if (!mayDownload(c, who) || !c.hostedBy(who) && !participantsSeeTestInputs(c) || phase.competitionId() != c.id()) {
            throw new NotFoundException();
        }
        Stored stored = find(phase, kind).orElseThrow(NotFoundException::new);
        return new Download(stored.fileName(), decrypt(phase, stored));
    }

    /** Opens raw file {@code seq} of the training dataset for the host or a participant. */
    Download openTraining(Competition c, AccountPrincipal who, int seq) {
        if (!mayDownload(c, who) || c.datasetId() == null) {
            throw new NotFoundException();
        }
        List<String> names = datasets.rawFiles(c.datasetId()).names();
        if (seq < 0 || seq >= names.size()) {
            throw new NotFoundException();
        }
        return new Download(names.get(seq), datasets.openRaw(c.datasetId(), seq));
    }

    private InputStream decrypt(CompetitionPhase phase, Stored stored) {
        byte[] wrappedKey = jdbc.sql("SELECT wrapped_data_key FROM competitions WHERE id = ?").param(phase.competitionId())
                .query(byte[].class).single();
        try {
            return dataKeys.unwrap(wrappedKey).decryptFrom(blobs, stored.blobKey(), context(stored.kind()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IntegrityException("The " + stored.kind() + " file of " + phase + " cannot be decrypted", e);
        }
    }
}
