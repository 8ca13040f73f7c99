package ai.aicrypto.plaza.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;

/** What a paid model license delivers: the weights and the card, to the owner and licensees only. */
class ModelDeliveryTest extends IntegrationTest {

    @Autowired
    TestUsers users;
    @Autowired
    Models models;

    AccountPrincipal owner;
    AccountPrincipal licensee;
    AccountPrincipal other;
    byte[] weights;

    @BeforeEach
    void people() throws Exception {
        owner = users.member();
        licensee = users.member();
        other = users.member();
        weights = ModelPublishTest.safetensors();
    }

    @Test
    void aLicenseeDownloadsTheExactWeightsAndTheCardAndAStrangerNeither() throws Exception {
        long id = create(u -> models.publish(owner.id(), u));
        license(id, licensee);

        assertThat(download(id, licensee)).isEqualTo(weights);
        assertThat(download(id, owner)).isEqualTo(weights);
        String card = mvc.perform(get("/models/" + id + "/card.json").with(user(licensee))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(card).isEqualTo(models.cardJson(id));

        mvc.perform(get("/models/" + id + "/weights").with(user(other))).andExpect(status().isNotFound());
        mvc.perform(get("/models/" + id + "/card.json").with(user(other))).andExpect(status().isNotFound());
        mvc.perform(get("/models/" + id + "/card.json")).andExpect(status().isNotFound());
        mvc.perform(get("/models/" + id + "/weights")).andExpect(status().is3xxRedirection());
    }

    @Test
    void withheldWeightsStayWithheldForTheOwnerAndLicenseesUntilReleased() throws Exception {
        long id = create(u -> models.createWithheld(owner.id(), u));
        mvc.perform(post("/listings/" + id + "/publish").with(user(owner)).with(csrf())).andExpect(status().is3xxRedirection());
        license(id, licensee);

        for (AccountPrincipal viewer : List.of(owner, licensee)) {
            MockHttpServletResponse refused = mvc.perform(get("/models/" + id + "/weights").with(user(viewer)))
                    .andReturn().getResponse();
            assertThat(refused.getStatus()).isEqualTo(400);
            assertThat(refused.getContentAsString()).contains("payment for the training job is settled on-chain");
            assertThat(page(id, viewer)).contains("id=\"weights-withheld\"").doesNotContain("id=\"download-weights\"");
        }

        models.release(id);
        assertThat(download(id, licensee)).isEqualTo(weights);
    }

    @Test
    void thePageShowsTheBuyPanelOnlyToWhoeverHoldsNoLicense() throws Exception {
        long id = create(u -> models.publish(owner.id(), u));
        license(id, licensee);
        String slot = "/listings/" + id + "/license-panel";

        assertThat(page(id, licensee)).contains("id=\"delivery\"").contains("You hold a license for this listing.")
                .contains("id=\"download-weights\"").contains("id=\"download-card\"").doesNotContain(slot);
        // The owner's panel sells licenses; it never offers to buy one.
        assertThat(page(id, owner)).contains("You own this model.").contains("id=\"download-weights\"")
                .contains("id=\"download-card\"");
        assertThat(mvc.perform(get(slot).with(user(owner))).andReturn().getResponse().getContentAsString())
                .doesNotContain("id=\"buy-license\"").doesNotContain("id=\"free-license\"").doesNotContain("/login");
        assertThat(mvc.perform(get("/models/" + id).with(user(owner)).header("Accept-Language", "ko")).andReturn()
                .getResponse().getContentAsString()).contains("내 모델입니다.");

        assertThat(page(id, other)).contains(slot).doesNotContain("id=\"delivery\"")
                .doesNotContain("id=\"download-weights\"").doesNotContain("id=\"download-card\"");
        assertThat(mvc.perform(get("/models/" + id)).andReturn().getResponse().getContentAsString()).contains(slot)
                .doesNotContain("id=\"download-card\"");
        assertThat(mvc.perform(get(slot)).andReturn().getResponse().getContentAsString()).contains("Sign in to get a license");
    }

    @Test
    void aTrainedModelShowsItsOwnerNoLicensePanel() throws Exception {
        long id = create(u -> models.createPrivate(owner.id(), u));
        assertThat(page(id, owner)).contains("You own this model.").contains("id=\"download-weights\"")
                .doesNotContain("/listings/" + id + "/license-panel");
    }

    /** A paid license, as the chain watcher records a confirmed purchase. */
    private void license(long listing, AccountPrincipal buyer) {
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, price_wei, tx_hash, log_index, chain_license)
                        VALUES (?, ?, '0x00000000000000000000000000000000000000aa', 3, ?, 0, 1)""")
                .params(listing, buyer.id(), String.format("0x%064x", listing * 1000 + buyer.id())).update();
    }

    private byte[] download(long id, AccountPrincipal as) throws Exception {
        var streaming = mvc.perform(get("/models/" + id + "/weights").with(user(as))).andExpect(status().isOk()).andReturn();
        return mvc.perform(asyncDispatch(streaming)).andReturn().getResponse().getContentAsByteArray();
    }

    private String page(long id, AccountPrincipal as) throws Exception {
        return mvc.perform(get("/models/" + id).with(user(as))).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString();
    }

    /** A model of the owner's with the test weights, made by {@code how}. */
    private long create(ToLongFunction<ModelUpload> how) throws Exception {
        Path file = Files.createTempFile("weights", ".safetensors");
        try {
            Files.write(file, weights);
            return how.applyAsLong(new ModelUpload(ModelPublishTest.exampleCard(), List.of(), file));
        } finally {
            Files.delete(file);
        }
    }
}
