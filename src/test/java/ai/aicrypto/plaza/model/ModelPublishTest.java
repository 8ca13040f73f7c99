package ai.aicrypto.plaza.model;

import static org.assertj.core.api.Assertions.assertThat;
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

import ai.aicrypto.plaza.account.AccountPrincipal;
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
