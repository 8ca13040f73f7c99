package ai.aicrypto.plaza.dataset.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import ai.aicrypto.plaza.platform.LiveUpdates;
import org.springframework.stereotype.Component;

/**
 * Waits for dataset imports to end the way their pages do: on the import's live updates (PostgreSQL NOTIFY), reading
 * the state first and again at each update, so no sleep and no polling. For tests that upload through the form.
 */
@Component
public class TestImports {

    /** Only a guard against a hung import; an import in these tests takes seconds. */
    private static final long GIVE_UP_MINUTES = 5;

    private final LiveUpdates live;
    private final DatasetImportRepository imports;

    TestImports(LiveUpdates live, DatasetImportRepository imports) {
        this.live = live;
        this.imports = imports;
    }

    /** The import's id from where an upload sent the browser ({@code /datasets/imports/ID}). */
    public static long importId(String location) {
        assertThat(location).as("an upload goes to its import's page").matches("/datasets/imports/\\d+");
        return Long.parseLong(location.substring(location.lastIndexOf('/') + 1));
    }

    /** Waits for the import the upload went to; returns the dataset it became (fails with the reason if refused). */
    public long awaitDataset(String location) {
        DatasetImport ended = awaitEnd(importId(location));
        assertThat(ended.status()).as("import %s ended %s %s %s", ended.id(), ended.status(), ended.reasonKey(),
                ended.reasonArgs()).isEqualTo(DatasetImport.Status.READY);
        return ended.listingId();
    }

    /** Waits until the import is no longer PROCESSING and returns how it ended. */
    public DatasetImport awaitEnd(long importId) {
        Semaphore changed = new Semaphore(0);
        try (LiveUpdates.Subscription ignored = live.listen(DatasetImports.topic(importId), (event, data) -> changed.release())) {
            for (DatasetImport state = state(importId); ; state = state(importId)) {
                if (state.status() != DatasetImport.Status.PROCESSING) {
                    return state;
                }
                assertThat(changed.tryAcquire(GIVE_UP_MINUTES, TimeUnit.MINUTES))
                        .as("import %s announced a change (it is at %s)", importId, state.step()).isTrue();
                changed.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public DatasetImport state(long importId) {
        return imports.find(importId).orElseThrow();
    }
}
