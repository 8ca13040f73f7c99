package ai.aicrypto.plaza.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.within;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.support.DenseWeights;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.WineModel;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model with weights answers predictions for raw records and images, through its page and the API, exactly as an
 * independent forward pass of the same weights does; members who hold no license get a few free calls.
 */
class ModelPredictionTest extends IntegrationTest {

    @Autowired
    TestUsers users;
    @Autowired
    Models models;
    @Autowired
    Datasets datasets;
    @Autowired
    ApiTokens tokens;
    @Autowired
    ModelProperties properties;
    @Autowired
    JsonMapper json;
    @TempDir
    Path tmp;

    AccountPrincipal owner;
    Preprocessing wine;
    DenseWeights weights;
    long model;

    /** A network for the wine table (13 measurements, 3 cultivars) with known weights, as a trained model is. */
    @BeforeEach
    void aWineModel() throws Exception {
        owner = users.member();
        WineModel fixture = WineModel.create(datasets, models, owner.id(), tmp, 7, true);
        wine = fixture.preprocessing();
        weights = fixture.weights();
        model = fixture.id();
    }

    @Test
    void aRawRecordIsAnsweredAsTheSameWeightsAnswerItsEncoding() throws Exception {
        Map<String, String> first = WineModel.record(0), second = WineModel.record(100);
        JsonNode answer = api(owner, model, Map.of("instances", List.of(first, second)), 200);

        for (int i = 0; i < 2; i++) {
            double[] expected = weights.probabilities(wine.encode(i == 0 ? first : second));
            JsonNode top = answer.at("/predictions/" + i + "/top");
            assertThat(top.size()).isEqualTo(3);
            double sum = 0;
            for (JsonNode score : top.values()) {
                int c = List.of("class_0", "class_1", "class_2").indexOf(score.get("label").asString());
                assertThat(score.get("probability").asDouble()).isCloseTo(expected[c], within(1e-5));
                sum += score.get("probability").asDouble();
            }
            assertThat(sum).isCloseTo(1, within(1e-6));
            assertThat(answer.at("/predictions/" + i + "/label").asString()).isEqualTo(top.get(0).get("label").asString());
        }
        assertThat(answer.get("latencyMs").asDouble()).isPositive();
        assertThat(jdbc.sql("SELECT instances || ' ' || via || ' ' || free_quota FROM model_calls WHERE model_id = ?")
                .param(model).query(String.class).list()).containsExactly("2 API false");
    }

    @Test
    void aRecordThatDoesNotFitIsRefusedNamingTheColumnInTheCallersLanguage() throws Exception {
        Map<String, String> record = WineModel.record(0);
        record.remove("proline");
        assertThat(api(owner, model, Map.of("instances", List.of(record)), 400).toString())
                .contains("The column \\\"proline\\\" is missing");
        record.put("proline", "a lot");
        assertThat(apiKorean(owner, model, Map.of("instances", List.of(record))).toString())
                .contains("\\\"proline\\\" 열에는 숫자를 넣어야 합니다");
        assertThat(api(owner, model, Map.of("instances", List.of()), 400).toString()).contains("between 1 and 100");
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE model_id = ?").param(model).query(Long.class)
                .single()).as("nothing recorded for a refused call").isZero();
    }

    @Test
    void aFreeModelAnswersEveryMemberWithoutLimitAndAStrangerNothingOfAnUnpublishedOne() throws Exception {
        AccountPrincipal member = users.member();
        Map<String, Object> one = Map.of("instances", List.of(WineModel.record(0)));
        for (int i = 0; i <= properties.freeCallsPerDay(); i++) {
            api(member, model, one, 200);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE caller_id = ? AND charged_wei = 0 AND NOT free_quota")
                .param(member.id()).query(Long.class).single()).isEqualTo(properties.freeCallsPerDay() + 1);

        long hidden = create(models.cardJson(model), weights, false);
        api(member, hidden, one, 404);
    }

    /**
     * A token's statement both reads it and writes its last use, at most once a minute; the token is then kept in memory
     * (a minute at most), and read again, writing its last use, once dropped (here: its member's roles changed). The
     * owner sees a draft.
     */
    @Test
    void aTokensLastUseIsWrittenOnceAMinuteAndItsOwnerCallsAnUnpublishedModel() throws Exception {
        var issued = tokens.issue(owner.id(), "last-use");
        long hidden = create(models.cardJson(model), weights, false);
        Map<String, Object> one = Map.of("instances", List.of(WineModel.record(0)));
        var lastUsed = jdbc.sql("SELECT last_used_at FROM api_tokens WHERE id = ?").param(issued.id()).query(java.time.OffsetDateTime.class);

        api(issued.token(), hidden, one, 200, "en");
        java.time.OffsetDateTime first = lastUsed.single();
        assertThat(first).isNotNull();
        api(issued.token(), hidden, one, 200, "en");
        assertThat(lastUsed.single()).as("not written again within the minute").isEqualTo(first);

        jdbc.sql("UPDATE api_tokens SET last_used_at = last_used_at - interval '2 minutes' WHERE id = ?").param(issued.id()).update();
        jdbc.sql("UPDATE user_roles SET role = role WHERE user_id = ?").param(owner.id()).update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            api(issued.token(), hidden, one, 200, "en");
            assertThat(lastUsed.single()).isAfterOrEqualTo(first);
        });
    }

    /**
     * What every call reads (its token's holder, the model's price, visibility and status) is kept in memory, and a
     * change applies to the next call: at once when made through this instance, within moments when another writer
     * (another instance, an operator's SQL) made it, which the database announces to every instance.
     */
    @Test
    void aChangeToATokenOrAModelAppliesToTheNextCallsWhoeverMadeIt() throws Exception {
        AccountPrincipal member = users.member();
        Map<String, Object> one = Map.of("instances", List.of(WineModel.record(0)));
        var revoked = tokens.issue(member.id(), "revoked");
        api(revoked.token(), model, one, 200, "en");
        tokens.revoke(member.id(), revoked.id());
        assertThat(mvc.perform(post("/api/v1/models/" + model + "/predict").header("Authorization", "Bearer " + revoked.token())
                .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(one))).andReturn().getResponse().getStatus())
                .as("revoked through this instance: refused at once").isEqualTo(401);

        var deleted = tokens.issue(member.id(), "deleted elsewhere");
        api(deleted.token(), model, one, 200, "en");
        jdbc.sql("DELETE FROM api_tokens WHERE id = ?").param(deleted.id()).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> mvc.perform(post("/api/v1/models/" + model + "/predict")
                .header("Authorization", "Bearer " + deleted.token()).contentType(MediaType.APPLICATION_JSON)
                .content(json.writeValueAsString(one))).andReturn().getResponse().getStatus() == 401);

        String token = tokens.issue(member.id(), "calls").token();
        api(token, model, one, 200, "en");
        settings(owner, model, "PUBLIC", "2.5", 302);
        assertThat(api(token, model, one, 402, "en").toString()).as("priced through this instance: charged at once")
                .contains("no usage credit escrow");
        jdbc.sql("UPDATE models SET api_price_per_1000_aic = 0 WHERE listing_id = ?").param(model).update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> api(token, model, one, 200, "en"));
        jdbc.sql("UPDATE models SET api_visibility = 'PRIVATE' WHERE listing_id = ?").param(model).update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> api(token, model, one, 403, "en"));
        jdbc.sql("UPDATE models SET api_visibility = 'PUBLIC' WHERE listing_id = ?").param(model).update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> api(token, model, one, 200, "en"));
        jdbc.sql("UPDATE listings SET status = 'UNPUBLISHED' WHERE id = ?").param(model).update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> api(token, model, one, 404, "en"));
    }

    /**
     * A paid model: "try it" gives a member the free calls of the day, then (like the API from the first call) charges
     * credit; where there is no credit to charge the answer is 402 (a message on the page) and nothing is recorded.
     */
    @Test
    void aPaidModelGivesFreeTriesThenAsksForCreditAndRecordsNothingItCannotCharge() throws Exception {
        settings(owner, model, "PUBLIC", "2.5", 302);
        AccountPrincipal member = users.member();
        Map<String, Object> one = Map.of("instances", List.of(WineModel.record(0)));
        assertThat(api(member, model, one, 402).toString()).contains("no usage credit escrow");
        for (int i = 0; i < properties.freeCallsPerDay(); i++) {
            assertThat(tryIt(member, model)).contains("id=\"try-label\"");
        }
        assertThat(tryIt(member, model)).contains("id=\"try-error\"").contains("id=\"try-credit\"");
        assertThat(jdbc.sql("SELECT count(*) || ' ' || bool_and(free_quota) || ' ' || sum(charged_wei) FROM model_calls WHERE caller_id = ?")
                .param(member.id()).query(String.class).single()).isEqualTo(properties.freeCallsPerDay() + " true 0");
        api(owner, model, one, 200); // the owner is never charged
        assertThat(mvc.perform(get("/models/" + model).with(user(member))).andReturn().getResponse().getContentAsString())
                .contains("2.5 AIC per 1,000 predictions");
    }

    @Test
    void theOwnerDecidesWhoMayCallPrivateLicenseesOrPublicForTheApiAndTryIt() throws Exception {
        AccountPrincipal member = users.member(), licensee = users.member();
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, price_wei, tx_hash, log_index, chain_license)
                        VALUES (?, ?, '0x00000000000000000000000000000000000000aa', 3, ?, 0, 1)""")
                .params(model, licensee.id(), String.format("0x%064x", model * 1000 + licensee.id())).update();
        Map<String, Object> one = Map.of("instances", List.of(WineModel.record(0)));

        settings(owner, model, "PRIVATE", "0", 302);
        assertThat(api(member, model, one, 403).toString()).contains("only they may call it");
        api(licensee, model, one, 403);
        api(owner, model, one, 200);
        assertThat(page(member, model)).contains("only they may call it").doesNotContain("id=\"try-form\"");
        assertThat(tryIt(licensee, model)).contains("id=\"try-error\"");

        settings(owner, model, "LICENSEES", "0", 302);
        assertThat(api(member, model, one, 403).toString()).contains("Only licensees");
        api(licensee, model, one, 200);
        assertThat(tryIt(licensee, model)).contains("id=\"try-label\"");
        assertThat(page(member, model)).contains("Only licensees").doesNotContain("id=\"try-form\"");

        settings(owner, model, "PUBLIC", "0", 302);
        api(member, model, one, 200);
        assertThat(tryIt(member, model)).contains("id=\"try-label\"");
        assertThat(jdbc.sql("SELECT count(*) FROM model_calls WHERE model_id = ?").param(model).query(Long.class).single())
                .as("refused calls are not recorded").isEqualTo(5);

        // What counts as use of the model for Proof of Value: the licensee's and the owner's calls; a member's calls
        // to a free public model cost nothing and so prove nothing.
        Instant now = Instant.now();
        assertThat(models.licenseeCallsBetween(now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1))).stream()
                .filter(c -> c.modelId() == model).map(c -> c.callerId() + ":" + c.calls()))
                .containsExactlyInAnyOrder(licensee.id() + ":2", owner.id() + ":1");
    }

    @Test
    void onlyTheOwnerSetsTheApiAndBadSettingsAreRefusedWithAMessage() throws Exception {
        AccountPrincipal member = users.member();
        settings(member, model, "PRIVATE", "1", 403);
        for (String price : List.of("-1", "1000001", "abc", "0.0000000000000000001", "")) {
            assertThat(settings(owner, model, "PUBLIC", price, 302)).contains("apiError").contains("at most 18 decimals");
        }
        assertThat(settings(owner, model, "EVERYONE", "1", 302)).contains("Choose who may call the model");
        assertThat(jdbc.sql("SELECT api_visibility || ' ' || api_price_per_1000_aic FROM models WHERE listing_id = ?").param(model)
                .query(String.class).single()).as("nothing changed").isEqualTo("PUBLIC 0.000000000000000000");
        assertThat(settings(owner, model, "LICENSEES", "1000000", 302)).contains("model.api.saved");
        assertThat(page(member, model)).doesNotContain("id=\"api-settings\"");
    }

    @Test
    void thePageShowsTheRequestSchemaAndExamplesWithoutTheTokenAndTheOpenApiDocumentCoversThePredictRoute() throws Exception {
        var issued = tokens.issue(owner.id(), "mine");
        String page = page(owner, model);
        assertThat(page).contains("id=\"api-fields\"").contains("<code>proline</code>").contains("<td>a number</td>")
                .contains("$PLAZA_TOKEN")
                .contains("os.environ[&quot;PLAZA_TOKEN&quot;]").contains("/api/v1/models/" + model + "/predict")
                .doesNotContain(issued.token()).contains("href=\"/profile\"");
        String docs = mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString();
        JsonNode predict = json.readTree(docs).at("/paths/~1api~1v1~1models~1{id}~1predict/post");
        assertThat(predict.at("/responses").propertyNames()).contains("200", "400", "401", "402", "403", "404", "429");
        assertThat(predict.at("/requestBody/content/application~1json/schema").toString()).contains("PredictionRequest");
        assertThat(docs).contains("member-token").contains("\"instances\"");
    }

    @Test
    void anImageOfAnySizeIsAnsweredByAnImageModel() throws Exception {
        DenseWeights fashion = new DenseWeights(3, 784, 256, 128, 10);
        long id = create(new ClassPathResource("model-card/examples/fashion-mnist-mlp.json")
                .getContentAsString(StandardCharsets.UTF_8), fashion, true);
        BufferedImage picture = new BufferedImage(90, 60, BufferedImage.TYPE_INT_RGB);
        var g = picture.createGraphics();
        g.setColor(Color.WHITE);
        g.fillOval(10, 5, 60, 50);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);

        JsonNode answer = api(owner, id, Map.of("instances",
                List.of(Map.of("image", Base64.getEncoder().encodeToString(png.toByteArray())))), 200);

        ModelCard card = new ModelCardValidator().parse(models.cardJson(id));
        double[] expected = fashion.probabilities(card.inputPreprocessing().orElseThrow().encode(picture));
        JsonNode best = answer.at("/predictions/0/top/0");
        assertThat(best.get("probability").asDouble())
                .isCloseTo(expected[card.classes().indexOf(best.get("label").asString())], within(1e-5));
        assertThat(answer.at("/predictions/0/top").size()).isEqualTo(5);
        assertThat(api(owner, id, Map.of("instances", List.of(Map.of("image", "bm90IGFuIGltYWdl"))), 400).toString())
                .contains("not an image the plaza can read");
    }

    @Test
    void aCnnModelsPageNamesItsBlocksAndItAnswersPicturesAsDjlDoes() throws Exception {
        String cardJson = new ClassPathResource("model-card/examples/fashion-mnist-cnn.json").getContentAsString(StandardCharsets.UTF_8);
        ModelCard card = new ModelCardValidator().parse(cardJson);
        ai.aicrypto.plaza.support.ConvReference djl = ai.aicrypto.plaza.support.ConvReference.random(card, 5);
        Path file = Files.write(tmp.resolve("cnn.safetensors"), djl.safetensors());
        long id = models.publish(owner.id(), new ModelUpload(cardJson, List.of(), file));
        assertThat(page(owner, id)).contains("id=\"conv-blocks\"").contains("conv 32 → 64");

        BufferedImage picture = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        float[] pixels = ai.aicrypto.plaza.support.ConvReference.fashionImages(1);
        for (int p = 0; p < 784; p++) {
            picture.getRaster().setSample(p % 28, p / 28, 0, Math.round(pixels[p] * 255));
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", png);
        JsonNode answer = api(owner, id, Map.of("instances",
                List.of(Map.of("image", Base64.getEncoder().encodeToString(png.toByteArray())))), 200);
        float[] logits = djl.forward(card.inputPreprocessing().orElseThrow().encode(picture), 1);
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        for (JsonNode score : answer.at("/predictions/0/top").values()) {
            int c = card.classes().indexOf(score.get("label").asString());
            assertThat(score.get("probability").asDouble()).isCloseTo(Math.exp(logits[c] - max) / sum, within(1e-4));
        }
    }

    @Test
    void thePageOffersAFormMadeFromTheModelsColumnsAndAnswersIt() throws Exception {
        String page = mvc.perform(get("/models/" + model).with(user(owner))).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"try-form\"").contains("name=\"in[proline]\"").contains("name=\"in[alcohol]\"");

        var request = post("/models/" + model + "/try").with(user(owner)).with(csrf());
        WineModel.record(0).forEach((column, value) -> request.param("in[" + column + "]", value));
        String answer = mvc.perform(request).andReturn().getResponse().getContentAsString();
        assertThat(answer).contains("id=\"try-label\"").contains("id=\"try-classes\"").contains("class_");

        String refused = mvc.perform(post("/models/" + model + "/try").with(user(owner)).with(csrf())
                .param("in[alcohol]", "13")).andReturn().getResponse().getContentAsString();
        assertThat(refused).contains("id=\"try-error\"").contains("is missing");
        assertThat(mvc.perform(get("/models/" + model)).andReturn().getResponse().getContentAsString())
                .as("anonymous").contains("Sign in to try this model.").doesNotContain("id=\"try-form\"");
    }

    /** @return what the redirect carries to the page (its notice or error) */
    private String settings(AccountPrincipal as, long id, String visibility, String price, int status) throws Exception {
        var result = mvc.perform(post("/models/" + id + "/api-settings").with(user(as)).with(csrf())
                .param("visibility", visibility).param("price", price)).andReturn();
        assertThat(result.getResponse().getStatus()).isEqualTo(status);
        return String.valueOf(result.getFlashMap());
    }

    private String page(AccountPrincipal as, long id) throws Exception {
        return mvc.perform(get("/models/" + id).with(user(as))).andReturn().getResponse().getContentAsString();
    }

    /** "Try it" with the first wine, as the page's form sends it. */
    private String tryIt(AccountPrincipal as, long id) throws Exception {
        var request = post("/models/" + id + "/try").with(user(as)).with(csrf());
        WineModel.record(0).forEach((column, value) -> request.param("in[" + column + "]", value));
        return mvc.perform(request).andReturn().getResponse().getContentAsString();
    }

    private long create(String card, DenseWeights weights, boolean published) throws Exception {
        Path file = Files.write(tmp.resolve("w-" + System.nanoTime() + ".safetensors"), weights.safetensors());
        ModelUpload upload = new ModelUpload(card, List.of(), file);
        return published ? models.publish(owner.id(), upload) : models.createPrivate(owner.id(), upload);
    }

    private JsonNode api(AccountPrincipal caller, long id, Object body, int status) throws Exception {
        return api(caller, id, body, status, "en");
    }

    private JsonNode apiKorean(AccountPrincipal caller, long id, Object body) throws Exception {
        return api(caller, id, body, 400, "ko");
    }

    private JsonNode api(AccountPrincipal caller, long id, Object body, int status, String language) throws Exception {
        return api(tokens.issue(caller.id(), "t" + System.nanoTime()).token(), id, body, status, language);
    }

    private JsonNode api(String token, long id, Object body, int status, String language) throws Exception {
        MockHttpServletResponse response = mvc.perform(post("/api/v1/models/" + id + "/predict")
                        .header("Authorization", "Bearer " + token)
                        .header("Accept-Language", language).contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andReturn().getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
        return json.readTree(response.getContentAsString(StandardCharsets.UTF_8));
    }
}
