package ai.aicrypto.plaza.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.support.DenseWeights;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.PredictApi;
import ai.aicrypto.plaza.support.TestUsers;
import ai.aicrypto.plaza.support.WineModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An image model's API takes the pictures as files too (multipart/form-data, one part named "image" each, as curl -F
 * sends them), over a real connection (the container parses the parts): answered exactly as the same pictures in
 * base64 JSON, and bad requests refused with a message in the caller's language.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PredictionWithFilesTest extends IntegrationTest {

    @LocalServerPort
    int port;
    @Autowired
    TestUsers users;
    @Autowired
    Models models;
    @Autowired
    Datasets datasets;
    @Autowired
    ApiTokens tokens;
    @Autowired
    JsonMapper json;
    @TempDir
    Path tmp;

    @Test
    void picturesSentAsFilesAreAnsweredAsTheSamePicturesInBase64() throws Exception {
        AccountPrincipal owner = users.member();
        String token = tokens.issue(owner.id(), "files").token();
        Path weights = Files.write(tmp.resolve("fashion.safetensors"), new DenseWeights(5, 784, 256, 128, 10).safetensors());
        long fashion = models.publish(owner.id(), new ModelUpload(new ClassPathResource("model-card/examples/fashion-mnist-mlp.json")
                .getContentAsString(StandardCharsets.UTF_8), List.of(), weights));
        byte[] oval = picture("png", Color.WHITE), square = picture("jpg", Color.GRAY);
        String url = "http://127.0.0.1:" + port;

        HttpResponse<String> files = PredictApi.callWithFiles(url, fashion, token, "en", "image", List.of(oval, square));
        assertThat(files.statusCode()).as(files.body()).isEqualTo(200);
        HttpResponse<String> base64 = PredictApi.call(url, fashion, token, json.writeValueAsString(Map.of("instances", List.of(
                Map.of("image", Base64.getEncoder().encodeToString(oval)), Map.of("image", Base64.getEncoder().encodeToString(square))))));
        assertThat(base64.statusCode()).as(base64.body()).isEqualTo(200);
        JsonNode asFiles = json.readTree(files.body()).get("predictions");
        assertThat(asFiles.size()).isEqualTo(2);
        assertThat(asFiles).isEqualTo(json.readTree(base64.body()).get("predictions"));
        assertThat(jdbc.sql("SELECT sum(instances) FROM model_calls WHERE model_id = ? AND via = 'API'").param(fashion)
                .query(Long.class).single()).as("metered as the JSON call").isEqualTo(4);

        // The most a call takes: 100 pictures, 100 parts (more than the container's default limit of parts).
        HttpResponse<String> hundred = PredictApi.callWithFiles(url, fashion, token, "en", "image",
                java.util.Collections.nCopies(100, oval));
        assertThat(hundred.statusCode()).as(hundred.body()).isEqualTo(200);
        assertThat(json.readTree(hundred.body()).get("predictions").size()).isEqualTo(100);
        HttpResponse<String> tooMany = PredictApi.callWithFiles(url, fashion, token, "en", "image",
                java.util.Collections.nCopies(101, oval));
        assertThat(tooMany.statusCode()).as(tooMany.body()).isEqualTo(400);
        assertThat(tooMany.body()).contains("100");
        HttpResponse<String> tooManyParts = PredictApi.callWithFiles(url, fashion, token, "en", "image",
                java.util.Collections.nCopies(129, oval));
        assertThat(tooManyParts.statusCode()).as("more parts than the container reads (128)").isEqualTo(413);
        assertThat(tooManyParts.body()).contains("Too many parts");

        HttpResponse<String> wrongPart = PredictApi.callWithFiles(url, fashion, token, "en", "picture", List.of(oval));
        assertThat(wrongPart.statusCode()).isEqualTo(400);
        assertThat(wrongPart.body()).contains("a part named \\\"image\\\"");
        assertThat(PredictApi.callWithFiles(url, fashion, token, "ko", "picture", List.of(oval)).body()).contains("파트");
        HttpResponse<String> notAPicture = PredictApi.callWithFiles(url, fashion, token, "en", "image",
                List.of("not a picture".getBytes(StandardCharsets.UTF_8)));
        assertThat(notAPicture.statusCode()).isEqualTo(400);
        assertThat(notAPicture.body()).contains("not an image the plaza can read");
        long wine = WineModel.create(datasets, models, owner.id(), tmp, 3, true).id();
        HttpResponse<String> tableModel = PredictApi.callWithFiles(url, wine, token, "en", "image", List.of(oval));
        assertThat(tableModel.statusCode()).isEqualTo(400);
        assertThat(tableModel.body()).contains("not an image");
        assertThat(PredictApi.callWithFiles(url, fashion, token, "en", "image", List.of(new byte[1_100_000])).statusCode())
                .as("over the multipart limit of a route that takes no uploads").isEqualTo(413);
        assertThat(PredictApi.callWithFiles(url, fashion, "plaza_not-a-token", "en", "image", List.of(oval)).statusCode())
                .isEqualTo(401);
        assertThat(jdbc.sql("SELECT sum(instances) FROM model_calls WHERE model_id IN (?, ?)").params(fashion, wine)
                .query(Long.class).single()).as("refused calls are not recorded").isEqualTo(104);

        // The model's page shows the call with files; the OpenAPI document has both bodies.
        String page = mvc.perform(get("/models/" + fashion).with(user(owner))).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("-F image=@picture.png").contains("files=[(&quot;image&quot;")
                .contains("413 when they come to more than 1.0 MB in all");
        JsonNode predict = json.readTree(mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString())
                .at("/paths/~1api~1v1~1models~1{id}~1predict/post/requestBody/content");
        assertThat(predict.propertyNames()).contains("application/json", "multipart/form-data");
    }

    private static byte[] picture(String format, Color colour) throws Exception {
        BufferedImage picture = new BufferedImage(90, 60, BufferedImage.TYPE_INT_RGB);
        var g = picture.createGraphics();
        g.setColor(colour);
        g.fillOval(10, 5, 60, 50);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(picture, format, out);
        return out.toByteArray();
    }
}
