package ai.aicrypto.plaza.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobLifetimes;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.PendingBlobs;
import ai.aicrypto.plaza.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Blobs are recorded as pending before they are stored (issue 16), so that one stored by an instance that died before
 * recording it is found and deleted; and temporary files a crash left on disk go once untouched for an hour.
 */
class PendingBlobsTest extends IntegrationTest {

    @Autowired
    PendingBlobs pendingBlobs;
    @Autowired
    BlobStore blobs;
    @Autowired
    TransactionTemplate transaction;
    @Autowired
    MessageSource messages;
    @Autowired
    StaleTemporaryFiles staleFiles;

    @Test
    void aBlobLeftPendingByADeadInstanceIsDeletedWhileKeptAndStillTouchedOnesStay() throws Exception {
        String kept = write("recorded where it belongs");
        transaction.executeWithoutResult(status -> pendingBlobs.kept(kept));
        String orphan = write("stored, then its instance died");
        String fresh = write("still being recorded");
        assertThat(pendingBlobKeys()).contains(orphan, fresh).doesNotContain(kept);

        abandon(List.of(orphan, kept));
        pendingBlobs.deleteAbandoned();

        assertThat(blobs.exists(orphan)).as("the orphan").isFalse();
        assertThat(blobs.exists(kept)).as("a kept blob").isTrue();
        assertThat(blobs.exists(fresh)).as("a pending blob still touched").isTrue();
        assertThat(pendingBlobKeys()).contains(fresh).doesNotContain(orphan);

        // the dead instance's writer, should it wake, cannot record a blob the sweep deleted, and its member is told
        // to send the file again, in their language
        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> pendingBlobs.kept(orphan)))
                .isInstanceOfSatisfying(PendingBlobs.Abandoned.class, e -> {
                    assertThat(e).hasMessageContaining("no longer pending");
                    assertThat(localized(e, Locale.ENGLISH)).startsWith("Storing your file took too long");
                    assertThat(localized(e, Locale.KOREAN)).startsWith("파일을 저장하는 데 너무 오래 걸려");
                });
        // and keeping is only ever part of the transaction that records the blob
        assertThatThrownBy(() -> pendingBlobs.kept(fresh)).isInstanceOf(IllegalStateException.class);

        pendingBlobs.discard(fresh);
        assertThat(blobs.exists(fresh)).isFalse();
        assertThat(pendingBlobKeys()).doesNotContain(fresh);
    }

    @Test
    void aKeepThatRollsBackLeavesTheBlobPending() throws Exception {
        String key = write("its row was never stored");
        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> {
            pendingBlobs.kept(key);
            throw new IllegalStateException("the row could not be stored");
        })).hasMessage("the row could not be stored");
        assertThat(pendingBlobKeys()).contains(key);
        pendingBlobs.discard(key);
    }

    @Test
    void aWriteThatFailsLeavesNothingStoredOrPending() {
        long files = blobFiles();
        Set<String> pending = pendingBlobKeys();
        assertThatThrownBy(() -> pendingBlobs.write(out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("the upload broke off");
        })).hasMessage("the upload broke off");
        assertThat(blobFiles()).isEqualTo(files);
        assertThat(pendingBlobKeys()).isEqualTo(pending);
    }

    @Test
    void temporaryFilesUntouchedForAnHourAreDeletedAndFresherOnesKept() throws Exception {
        Path incoming = dataDir().resolve("blobs").resolve("incoming");
        Path work = dataDir().resolve("work");
        Path staleSpool = file(incoming.resolve("blob-1.part"), 2);
        Path freshSpool = file(incoming.resolve("blob-2.part"), 0);
        Path staleUpload = file(work.resolve("weights-1.part"), 2);
        Path staleMultipart = file(work.resolve("multipart").resolve("upload_1.tmp"), 2);
        Path freshUpload = file(work.resolve("upload-2.part"), 0);
        Path importFile = file(work.resolve("import-999999").resolve("raw-0"), 2);

        staleFiles.deleteStale();

        assertThat(staleSpool).as("a blob's spool a crash left").doesNotExist();
        assertThat(staleUpload).as("an upload a crash left").doesNotExist();
        assertThat(staleMultipart).as("the container's part a crash left").doesNotExist();
        assertThat(freshSpool).as("a blob being spooled").exists();
        assertThat(freshUpload).as("an upload being read").exists();
        assertThat(importFile).as("a dataset import's file, its import's to delete").exists();
        Files.delete(freshSpool);
        Files.delete(freshUpload);
        Files.delete(importFile);
        Files.delete(importFile.getParent());
    }

    @Test
    void lifetimesTooShortForALiveWriterAreRefusedAtStart() {
        assertThat(new BlobLifetimes(null, null)).isEqualTo(new BlobLifetimes(Duration.ofMinutes(5), Duration.ofHours(1)));
        assertThatThrownBy(() -> new BlobLifetimes(Duration.ofMinutes(2), null))
                .hasMessageStartingWith("PLAZA_BLOB_PENDING_ABANDONED_AFTER: PT2M is under 3 minutes");
        assertThatThrownBy(() -> new BlobLifetimes(null, Duration.ofMinutes(9)))
                .hasMessageStartingWith("PLAZA_BLOB_TEMPORARY_FILES_STALE_AFTER: PT9M is under 10 minutes");
    }

    private String localized(UserFacingException e, Locale locale) {
        Locale before = LocaleContextHolder.getLocale();
        LocaleContextHolder.setLocale(locale);
        try {
            return e.localized(messages);
        } finally {
            LocaleContextHolder.setLocale(before);
        }
    }

    private String write(String content) throws IOException {
        return pendingBlobs.write(out -> out.write(content.getBytes(StandardCharsets.UTF_8))).key();
    }

    private static Path file(Path path, int hoursOld) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "left over");
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minus(hoursOld, ChronoUnit.HOURS)));
        return path;
    }
}
