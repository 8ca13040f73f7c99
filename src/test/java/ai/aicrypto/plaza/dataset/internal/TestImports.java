package ai.aicrypto.plaza.dataset.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.LiveUpdates;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
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
    private final JdbcClient jdbc;

    TestImports(LiveUpdates live, DatasetImportRepository imports, JdbcClient jdbc) {
        this.live = live;
        this.imports = imports;
        this.jdbc = jdbc;
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

    /**
     * What the uploader reads of a refused upload, in the request's language: the form again with the reason when the
     * cheap checks refused it at once, else its import's page once the import was refused.
     */
    public String refusal(MockMvc mvc, RequestBuilder upload, AccountPrincipal uploader) throws Exception {
        MvcResult result = mvc.perform(upload).andReturn();
        if (result.getResponse().getStatus() == 200) {
            String body = result.getResponse().getContentAsString(StandardCharsets.UTF_8);
            assertThat(body).as("form shown again with an error").contains("id=\"upload-form\"")
                    .containsAnyOf("class=\"field-error\"", "id=\"global-error\"");
            return body;
        }
        String location = result.getResponse().getRedirectedUrl();
        assertThat(awaitEnd(importId(location)).status()).isEqualTo(DatasetImport.Status.REFUSED);
        String language = result.getRequest().getHeader("Accept-Language");
        MockHttpServletResponse page = mvc.perform(get(location).with(user(uploader))
                .header("Accept-Language", language == null ? "en" : language)).andReturn().getResponse();
        assertThat(page.getStatus()).isEqualTo(200);
        String body = page.getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).as("the import's page gives the reason").contains("id=\"import-reason\"");
        return body;
    }

    /** Waits for the import of the listing titled so (an upload whose answer the test did not read) to end. */
    public DatasetImport awaitEnd(String title) {
        return awaitEnd(jdbc.sql("SELECT id FROM dataset_imports WHERE title = ?").param(title).query(Long.class).single());
    }

    public DatasetImport state(long importId) {
        return imports.find(importId).orElseThrow();
    }
}
