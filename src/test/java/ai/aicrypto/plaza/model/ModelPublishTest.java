package ai.aicrypto.plaza.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import javax.sql.DataSource;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.PendingBlobs;
import ai.aicrypto.plaza.support.HeldUserRow;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.web.MockMultipartFile;

class ModelPublishTest extends IntegrationTest {

    @Autowired
    TestUsers users;
    @Autowired
    Models models;
    @Autowired
    PendingBlobs pendingBlobs;
    @Autowired
    BlobStore blobs;
    @Autowired
    DataSource dataSource;

    @Test
    void validCardWithWeightsIsPublishedAndWeightsComeBackIntact() throws Exception {
        AccountPrincipal owner = users.member();
        AccountPrincipal other = users.member();
        byte[] weights = safetensors();
        String location = mvc.perform(multipart("/models/new")
                        .file(new MockMultipartFile("weights", "w.safetensors", "application/octet-stream", weights))
                        .param("cardJson", exampleCard()).param("tags", "vision, demo")
                        .with(user(owner)).with(csrf().asHeader()))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl();
        long id = Long.parseLong(location.substring(location.lastIndexOf('/') + 1));

        String page = mvc.perform(get("/models/" + id)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"task\">classification<").contains("id=\"template\">mlp<").contains("learningRate");

        var streaming = mvc.perform(get("/models/" + id + "/weights").with(user(owner))).andReturn();
        assertThat(mvc.perform(asyncDispatch(streaming)).andReturn().getResponse().getContentAsByteArray()).isEqualTo(weights);
        mvc.perform(get("/models/" + id + "/weights").with(user(other))).andExpect(status().isNotFound());
        mvc.perform(get("/models/" + id + "/weights")).andExpect(status().is3xxRedirection());
    }

    @Test
    void aWithheldModelsWeightsAreHandedOverOnlyOnceReleased() throws Exception {
        AccountPrincipal requester = users.member();
        byte[] weights = safetensors();
        java.nio.file.Path file = java.nio.file.Files.createTempFile("trained", ".safetensors");
        java.nio.file.Files.write(file, weights);
        long id = models.createWithheld(requester.id(), new ModelUpload(exampleCard(), java.util.List.of("trained"), file));
        java.nio.file.Files.delete(file);

        assertThat(mvc.perform(get("/models/" + id).with(user(requester))).andReturn().getResponse().getContentAsString())
                .contains("id=\"weights-withheld\"").doesNotContain("/models/" + id + "/weights\"");
        assertThat(mvc.perform(get("/models/" + id + "/weights").with(user(requester))).andReturn().getResponse()
                .getContentAsString()).contains("payment for the training job is settled on-chain");

        models.release(id);
        var streaming = mvc.perform(get("/models/" + id + "/weights").with(user(requester))).andReturn();
        assertThat(mvc.perform(asyncDispatch(streaming)).andReturn().getResponse().getContentAsByteArray()).isEqualTo(weights);
    }

    @Test
    void invalidCardIsRejectedWithFieldAndReasonAndNothingStored() throws Exception {
        AccountPrincipal owner = users.member();
        long listings = count("listings");
        long blobs = blobFiles();
        String card = exampleCard().replace("\"mlp\"", "\"transformer\"");
        String body = mvc.perform(multipart("/models/new")
                        .file(new MockMultipartFile("weights", "w.safetensors", "application/octet-stream", safetensors()))
                        .param("cardJson", card).with(user(owner)).with(csrf().asHeader()))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(body).contains("id=\"card-errors\"").contains("/architecture/template");

        String badWeights = mvc.perform(multipart("/models/new")
                        .file(new MockMultipartFile("weights", "w.safetensors", "application/octet-stream",
                                "not safetensors at all".getBytes(StandardCharsets.UTF_8)))
                        .param("cardJson", exampleCard()).with(user(owner)).with(csrf().asHeader()))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(badWeights).contains("id=\"card-errors\"").contains("/weights");

        assertThat(count("listings")).isEqualTo(listings);
        assertThat(blobFiles()).isEqualTo(blobs);
    }

    /** A paid card (25.5 AIC) for an MLP over 28x28 images. */
    /**
     * Weights are recorded as pending before they are stored (issue 16). Here their writer stops right after storing
     * them, before the model's row (its owner's row is locked), as an instance killed there would: once they are
     * untouched for minutes the sweep deletes them, and the writer, should it go on, records no model. Weights whose
     * model was recorded are not pending, and stay.
     */
    @Test
    void weightsStoredByAnInstanceThatDiedBeforeRecordingTheirModelAreDeletedBySweep() throws Exception {
        AccountPrincipal owner = users.member();
        Path file = Files.write(Files.createTempFile("weights", ".safetensors"), safetensors());
        try {
            long recorded = models.createPrivate(owner.id(), new ModelUpload(exampleCard(), List.of("kept"), file));
            String recordedKey = jdbc.sql("SELECT weights_key FROM models WHERE listing_id = ?").param(recorded)
                    .query(String.class).single();
            assertThat(pendingBlobKeys()).doesNotContain(recordedKey);

            Set<String> pendingBefore = pendingBlobKeys();
            long modelsBefore = count("models");
            String card = exampleCard();
            CompletableFuture<Long> writer;
            String orphan;
            try (HeldUserRow stalled = HeldUserRow.lock(dataSource, owner.id())) {
                writer = CompletableFuture.supplyAsync(() -> models.createPrivate(owner.id(),
                        new ModelUpload(card, List.of("orphan"), file)));
                orphan = await().atMost(Duration.ofSeconds(30)).until(() -> newKeys(pendingBefore), keys -> keys.size() == 1)
                        .iterator().next();
                assertThat(blobs.exists(orphan)).as("stored, its key recorded first").isTrue();

                abandon(List.of(orphan));
                pendingBlobs.deleteAbandoned();
                assertThat(blobs.exists(orphan)).as("the orphan after the sweep").isFalse();
                assertThat(blobs.exists(recordedKey)).as("a recorded model's weights").isTrue();
            }
            assertThatThrownBy(writer::join).isInstanceOf(CompletionException.class)
                    .hasRootCauseInstanceOf(PendingBlobs.Abandoned.class).hasRootCauseMessage(
                            "Blob " + orphan + " is no longer pending: it was found abandoned and deleted");
            assertThat(count("models")).as("no model names the deleted weights").isEqualTo(modelsBefore);
            assertThat(pendingBlobKeys()).doesNotContain(orphan);
        } finally {
            Files.delete(file);
        }
    }

    private Set<String> newKeys(Set<String> before) {
        Set<String> now = pendingBlobKeys();
        now.removeAll(before);
        return now;
    }

    static String exampleCard() throws Exception {
        return new ClassPathResource("model-card/examples/fashion-mnist-mlp.json").getContentAsString(StandardCharsets.UTF_8);
    }

    /** One F32 tensor of two values, in the safetensors layout. */
    static byte[] safetensors() throws Exception {
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.UTF_8);
        var out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).array());
        return out.toByteArray();
    }
}
