package ai.aicrypto.plaza.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import ai.aicrypto.plaza.dataset.internal.TestImports;
import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.support.DebianDescriptions;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Text through the upload form: a JSON Lines file of Debian package descriptions (from the apt lists) with the text
 * field named by the uploader, previewed with its texts; empty text columns and broken lines refused in English and
 * Korean with nothing stored.
 */
class TextUploadTest extends IntegrationTest {

    @Autowired
    TestUsers users;
    @Autowired
    TestImports imports;
    @Autowired
    Datasets datasets;

    AccountPrincipal owner;

    @BeforeEach
    void signIn() {
        owner = users.member();
    }

    @Test
    void aJsonLinesFileOfDescriptionsIsProfiledAsTextAndPreviewedWithItsTexts() throws Exception {
        List<DebianDescriptions.Package> packages = DebianDescriptions.load(List.of("games", "science"), 60);
        JsonMapper json = JsonMapper.builder().build();
        StringBuilder jsonl = new StringBuilder();
        for (DebianDescriptions.Package p : packages) {
            String[] words = p.text().split(" ");
            String summary = words.length > 1 ? words[0] + " " + words[1] : p.text(); // too short to be found as text
            jsonl.append(json.writeValueAsString(java.util.Map.of("summary", summary, "section", p.section()))).append('\n');
        }
        String location = mvc.perform(upload("Debian", "section", file("debian.jsonl", jsonl.toString())).param("textColumns", "summary"))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl();
        long id = imports.awaitDataset(location);
        Preprocessing encoding = datasets.preprocessing(id);
        assertThat(encoding.columns()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("summary");
            assertThat(c.freeText()).as("two-word summaries are text because the uploader says so").isTrue();
        });
        String page = mvc.perform(get("/datasets/" + id)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        String preview = page.substring(page.indexOf("id=\"preview\""));
        long shown = packages.stream().filter(p -> preview.contains(p.section())).count();
        assertThat(shown).isPositive();
        assertThat(preview.split("<tr>", -1).length).as("at most 20 sampled records").isLessThanOrEqualTo(1 + 1 + 20);
        assertThat(page).contains("TEXT");
    }

    @Test
    void anEmptyTextColumnAndBrokenLinesAreExplainedAndLeaveNothingStored() throws Exception {
        long listings = count("listings"), stored = count("datasets"), blobs = blobFiles();

        rejected(upload("Empty notes", "label", file("notes.csv", "id,note,label\n1,,a\n2,NA,b\n")).param("textColumns", "note"),
                "The text column &quot;note&quot; is empty in every row.", Locale.ENGLISH);
        rejected(upload("Empty notes", "label", file("notes.csv", "id,note,label\n1,,a\n2,NA,b\n")).param("textColumns", "note"),
                "모든 행에서 비어 있습니다", Locale.KOREAN);
        rejected(upload("Missing", "label", file("notes.csv", "id,note,label\n1,x,a\n")).param("textColumns", "body"),
                "There is no column named &quot;body&quot; to read as text.", Locale.ENGLISH);
        String broken = "{\"text\": \"a fine kettle\", \"label\": \"good\"}\n{\"text\": \"leaks\", \"label\": }\n";
        rejected(upload("Broken", "label", file("broken.jsonl", broken)), "Line 2 is not valid JSON.", Locale.ENGLISH);
        rejected(upload("Broken", "label", file("broken.jsonl", broken)), "2번째 줄이 올바른 JSON이 아닙니다", Locale.KOREAN);
        rejected(upload("Nested", "label", file("nested.jsonl", "{\"text\": [\"a\"], \"label\": \"x\"}\n")),
                "Line 1: the field &quot;text&quot; holds a list or an object.", Locale.ENGLISH);

        assertThat(count("listings")).isEqualTo(listings);
        assertThat(count("datasets")).isEqualTo(stored);
        assertThat(blobFiles()).isEqualTo(blobs);
    }

    /** Refused at once (on the form) or by its import (on the import's page), in the language asked for. */
    private void rejected(MockMultipartHttpServletRequestBuilder request, String messagePart, Locale locale) throws Exception {
        assertThat(imports.refusal(mvc, request.locale(locale).header("Accept-Language", locale.getLanguage()), owner))
                .contains(messagePart);
    }

    private MockMultipartHttpServletRequestBuilder upload(String title, String labelColumn, MockMultipartFile file) {
        return multipart("/datasets/new").file(file)
                .param("listing.title", title)
                .param("listing.description", "Test data")
                .param("listing.tags", "test")
                .param("listing.license", "CC-BY-4.0")
                .param("listing.priceAic", "0")
                .param("labelColumn", labelColumn)
                .with(user(owner)).with(csrf().asHeader());
    }

    private static MockMultipartFile file(String name, String content) {
        return new MockMultipartFile("file", name, "application/octet-stream", content.getBytes(StandardCharsets.UTF_8));
    }
}
