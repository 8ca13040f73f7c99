package ai.aicrypto.plaza.dataset.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.dataset.DatasetProperties;
import ai.aicrypto.plaza.dataset.format.ReadProgress;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * The one owner of an import's state. It records an upload PROCESSING, its steps and progress, and its end: READY in
 * the transaction that creates the dataset, or REFUSED with the reason, deleting every blob the import had stored.
 * Each change is announced on the import's live topic, through PostgreSQL, so its page hears it on any instance: an
 * event {@value #EVENT} whose data is the step it is at, or READY, or REFUSED (the page fetches the rest).
 * <p>
 * An instance touches the imports it holds (running or queued) every minute; one that died leaves rows nobody
 * touches, and {@link #refuseAbandoned} (one instance at a time, under a lease) refuses them with the reason and
 * deletes what they had stored. Their uploads were on the dead instance's disk, so they are not resumed. An instance
 * that shuts down normally refuses the imports it holds itself, at once ({@link #stop}).
 */
@Component
class DatasetImports implements SmartLifecycle {

    static final String EVENT = "import";
    static final String REFUSED_FAILED = "dataset.import.failed";
    static final String REFUSED_ABANDONED = "dataset.import.abandoned";
    private static final Logger log = LoggerFactory.getLogger(DatasetImports.class);
    /** Progress is written (and announced) at most this often, besides at each new step. */
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
    /** Stopped after the web server (whose phases are the two below the default): no upload begins an import then. */
    private static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 2048;
    /** The most a shutdown waits for the import threads to find their imports refused (a step saves every second). */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    private final DatasetImportRepository imports;
    private final LiveUpdates live;
    private final BlobStore blobs;
    private final TransactionTemplate transaction;
    private final Path workDir;
    private final int perMember;
    private final Duration abandonedAfter;
    /** The imports this instance runs or has queued. */
    private final Set<Long> held = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    DatasetImports(DatasetImportRepository imports, LiveUpdates live, BlobStore blobs, TransactionTemplate transaction,
                   DatasetProperties properties, PlazaProperties plaza) {
        this.imports = imports;
        this.live = live;
        this.blobs = blobs;
        this.transaction = transaction;
        this.workDir = plaza.dataDir().resolve("work");
        this.perMember = properties.importsPerMember();
        this.abandonedAfter = properties.importAbandonedAfter();
    }

    static String topic(long importId) {
        return "dataset-import:" + importId;
    }

    /**
     * Records an upload PROCESSING, held by this instance until {@link #release}.
     *
     * @throws UserFacingException when the member has as many imports under way as one may
     */
    long begin(long ownerId, String title, String fileName) {
        long id = transaction.execute(status -> {
            imports.lockImportsOf(ownerId);
            if (imports.processingOf(ownerId) >= perMember) {
                throw new UserFacingException("file", "dataset.error.imports-under-way", perMember);
            }
            return imports.insert(ownerId, title, fileName);
        });
        held.add(id);
        return id;
    }

    /** The import's own directory for its files and scratch (under the data directory's {@code work}). */
    Path workDir(long importId) {
        return workDir.resolve("import-" + importId);
    }

    /**
     * Starts a step of {@code total} bytes; the progress returned writes how far it is now and then.
     *
     * @param rows the records counted so far, or null while unknown
     * @throws Abandoned when the import was decided elsewhere meanwhile
     */
    ReadProgress step(long importId, DatasetImport.Step step, long total, Long rows) {
        save(importId, step, 0, total, rows);
        return new ReadProgress() {
            private long done;
            private long savedAt = System.nanoTime();

            @Override
            public void read(long bytes) {
                done += bytes;
                if (System.nanoTime() - savedAt >= PROGRESS_EVERY_NANOS) {
                    savedAt = System.nanoTime();
                    save(importId, step, done, total, rows);
                }
            }
        };
    }

    private void save(long importId, DatasetImport.Step step, long done, long total, Long rows) {
        if (!imports.progress(importId, step, done, total, rows)) {
            throw new Abandoned(importId);
        }
        live.publish(topic(importId), EVENT, step.name());
    }

    /**
     * Encrypts {@code content} into the blob store as one of the import's blobs. Its key is recorded with the import
     * before the blob is put in place, so that whoever ends the import (this instance, its shutdown, or another
     * instance's sweep once this one died, even right after storing it) finds and deletes it; and the import is
     * checked again once it is in place, since a decider may have deleted it just before.
     *
     * @throws Abandoned when the import was decided elsewhere meanwhile (nothing of this blob is then left stored)
     */
    BlobStore.StoredBlob storeBlob(long importId, DataKeys.DataKey key, InputStream content, String context)
            throws IOException {
        BlobStore.StoredBlob blob = key.encryptTo(blobs, content, context, blobKey -> {
            if (!imports.recordBlob(importId, blobKey)) {
                throw new Abandoned(importId);
            }
        });
        if (!imports.stillProcessing(importId)) {
            blobs.delete(blob.key());
            throw new Abandoned(importId);
        }
        return blob;
    }

    /**
     * Marks the import READY as the dataset {@code listingId}, in the caller's transaction: the one that creates
     * the dataset, so that both are stored or neither.
     *
     * @throws Abandoned when the import was decided elsewhere meanwhile (roll the dataset back)
     */
    void ready(long importId, long listingId) {
        if (!imports.markReady(importId, listingId)) {
            throw new Abandoned(importId);
        }
        live.publish(topic(importId), EVENT, DatasetImport.Status.READY.name());
    }

    /**
     * Marks the import REFUSED with the reason and deletes the blobs it had stored, before anyone hears of it; nothing
     * if it was decided already. (Should the transaction then fail, the import stays PROCESSING with blobs already
     * gone: it can only be refused again.)
     */
    void refuse(long importId, String reasonKey, Object... reasonArgs) {
        // Numbers stay numbers, so that the message formats them in the reader's language.
        List<Object> args = Arrays.stream(reasonArgs)
                .map(a -> a instanceof Number || a instanceof Boolean ? a : String.valueOf(a)).toList();
        transaction.executeWithoutResult(status -> imports.markRefused(importId, reasonKey, args).ifPresent(written -> {
            written.forEach(blobs::delete);
            live.publish(topic(importId), EVENT, DatasetImport.Status.REFUSED.name());
        }));
    }

    /** This instance is done with the import: its files go, and it is no longer touched. Before its end is recorded,
     * so that whoever hears of the end finds nothing of it left on disk. */
    void release(long importId) {
        held.remove(importId);
        deleteQuietly(workDir(importId));
    }

    /**
     * The import as {@code viewer} may see it: only its uploader's (an admin sees the dataset once it is one).
     *
     * @throws NotFoundException for anyone else, and for an import that does not exist
     */
    DatasetImport view(long importId, AccountPrincipal viewer) {
        return imports.find(importId).filter(i -> viewer != null && i.ownerId() == viewer.id())
                .orElseThrow(NotFoundException::new);
    }

    /** The member's recent uploads that are still being imported or were refused, newest first (at most 10). */
    List<DatasetImport> unfinishedOf(long ownerId) {
        return imports.unfinishedOf(ownerId, 10);
    }

    /** Tells the other instances this one still works on (or has queued) its imports. No lease: each its own. */
    @Scheduled(fixedDelay = 60_000)
    void touchHeld() {
        imports.touch(held);
    }

    /** {@link #refuseAbandoned} every minute, soon after start, on one instance at a time. */
    @Scheduled(fixedDelay = 60_000, initialDelay = 10_000)
    @SchedulerLock(name = "abandoned-dataset-imports", lockAtMostFor = "5m", lockAtLeastFor = "30s")
    void checkForAbandoned() {
        refuseAbandoned();
    }

    /**
     * Refuses the imports no instance has touched for {@code plaza.dataset.import-abandoned-after}: their instance
     * died (or lost the database) mid-import. Two instances at it at once do no harm: each refusal is conditional.
     */
    void refuseAbandoned() {
        for (long id : imports.abandoned(abandonedAfter)) {
            if (!held.contains(id)) {
                log.warn("Dataset import {} was abandoned by its instance; refusing it and deleting what it stored", id);
                refuse(id, REFUSED_ABANDONED);
                deleteQuietly(workDir(id)); // present when this instance was the one that died and came back
            }
        }
    }

    /**
     * Deletes the directories of imports this instance held when it last died (its own disk: another instance's sweep
     * refused those imports, but could not reach their files). Started before the web server, so none is held yet.
     */
    @Override
    public void start() {
        running = true;
        try (Stream<Path> dirs = Files.list(workDir)) {
            dirs.filter(dir -> dir.getFileName().toString().matches("import-\\d{1,18}")
                            && !held.contains(Long.parseLong(dir.getFileName().toString().substring("import-".length()))))
                    .forEach(DatasetImports::deleteQuietly);
        } catch (NoSuchFileException e) {
            // nothing was ever imported here
        } catch (IOException e) {
            log.warn("Could not look for the directories of imports left by an earlier run: {}", e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * A graceful shutdown refuses the imports this instance holds (running or queued) at once, deleting the blobs they
     * stored: their uploads are on this instance's disk, so no other could finish them, and their uploaders should not
     * wait for another instance's sweep to tell them. Then it waits (at most {@link #SHUTDOWN_WAIT}) until the import
     * threads, finding their imports refused at their next step, have let them go: a thread storing a blob deletes it
     * itself, which it could not once the process is gone.
     */
    @Override
    public void stop() {
        running = false;
        for (long id : List.copyOf(held)) {
            try {
                refuse(id, REFUSED_ABANDONED);
            } catch (RuntimeException e) {
                log.warn("Could not refuse dataset import {} at shutdown; another instance's sweep will: {}", id, e.toString());
            }
        }
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        try {
            while (!held.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!held.isEmpty()) {
            log.warn("Dataset imports {} were still running {} after they were refused at shutdown", held, SHUTDOWN_WAIT);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileSystemUtils.deleteRecursively(dir);
        } catch (IOException e) {
            log.warn("Could not delete the import directory {}: {}", dir, e.toString());
        }
    }

    /** The import was decided elsewhere (found abandoned and refused) while this instance still worked on it. */
    static final class Abandoned extends RuntimeException {

        Abandoned(long importId) {
            super("Dataset import " + importId + " is no longer PROCESSING here: it was decided elsewhere");
        }
    }
}
