package ai.aicrypto.plaza.model.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.serving.InferenceGateway;
import ai.aicrypto.plaza.serving.InsufficientCreditException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.responses.ApiResponses;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.HotRoute;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's predictions for scripts, with a personal API token ({@code Authorization: Bearer}):
 * {@code POST /api/v1/models/{id}/predict} with {@code {"instances": [...]}}, each instance either an object of
 * the model's input columns (values as in its CSV, strings or numbers) or {@code {"image": "<base64>"}}; or, for an image
 * model, a multipart body with one {@code image} part per picture. The same
 * checks as "try it"; a paid model's calls are charged to the caller's credit (no free calls). Errors come back as
 * {@code {"errors": [...]}} in the language of {@code Accept-Language}. Described in the OpenAPI document.
 */
@RestController
@Tag(name = "Models", description = "Predictions of the plaza's models, metered and paid from prepaid AIC credit")
class PredictionApiController {

    /** Large enough for 100 small images in base64; the body is refused unread beyond it. */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final ModelPredictions predictions;
    private final MessageSource messages;
    private final JsonMapper json;

    PredictionApiController(ModelPredictions predictions, MessageSource messages, JsonMapper json) {
        this.predictions = predictions;
        this.messages = messages;
        this.json = json;
    }

    /**
     * @param servedBy  who ran the model: {@code worker-ID} (a serving worker of the GPU fleet) or {@code plaza}
     * @param coldStart whether the worker loaded the model for this call
     */
    record PredictionJson(List<ModelPredictions.Outcome> predictions, double latencyMs, String servedBy, boolean coldStart) {
    }

    /** The request body, for the OpenAPI document (the body itself is read and checked by hand, bounded). */
    @Schema(description = "One to 100 instances (PLAZA_MODEL_MAX_INSTANCES). A tabular model takes objects keyed by its "
            + "input columns, values as they appear in its CSV (strings or numbers; null or \"\" = missing); an image "
            + "model takes {\"image\": \"<base64 PNG, JPEG, GIF or BMP>\"} of any size. The model page shows its schema.")
    record PredictionRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "[{\"alcohol\": \"13.2\", \"malic_acid\": 1.78}]")
            List<Map<String, Object>> instances) {
    }

    /** An image model's pictures as files, for the OpenAPI document. */
    @Schema(description = "An image model's pictures as files: one part named image per picture (PNG, JPEG, GIF or BMP of "
            + "any size), 1 to 100, at most 1 MB in all (PLAZA_MAX_OTHER_MULTIPART_SIZE), with a Content-Length; as "
            + "curl -F image=@shoe.png -F image=@shirt.jpg sends them")
    record PredictionFiles(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<MultipartFile> image) {
    }

    record Errors(@Schema(description = "What is wrong, in the language of Accept-Language") List<String> errors) {
    }

    @Operation(summary = "Predict with a model", description = """
            Runs the model on each instance (for an image model, the pictures may also come as files: a multipart body \
            with one part named "image" each) and answers, per instance, the predicted class with the top classes and \
            their probabilities (classification) or the predicted value (regression), and the plaza's latency. \
            The model's owner sets who may call it (owner only, licensees, every member) and a price per 1,000 \
            instances in AIC (0 = free); a paid call is charged to the caller's prepaid credit (deposited on /credit) \
            only once it has been answered, and recorded with the token, the instances, the latency and the price. \
            A call that fails is charged nothing.""",
            security = @SecurityRequirement(name = "member-token"),
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = PredictionRequest.class)),
                    @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE, schema = @Schema(implementation = PredictionFiles.class))}))
    @ApiResponses({
            @ApiResponse(responseCode = "200", description = "The predictions",
                    content = @Content(schema = @Schema(implementation = PredictionJson.class))),
            @ApiResponse(responseCode = "400", description = "Bad input: not JSON, over 8 MiB, 0 or too many instances, a missing, "
                    + "extra or ill-typed column, an unreadable image, no part named image, a model without weights",
                    content = @Content(schema = @Schema(implementation = Errors.class))),
            @ApiResponse(responseCode = "401", description = "No valid API token", content = @Content),
            @ApiResponse(responseCode = "413", description = "Pictures as files over 1 MB in all (PLAZA_MAX_OTHER_MULTIPART_SIZE); "
                    + "411 without a Content-Length", content = @Content),
            @ApiResponse(responseCode = "402", description = "A paid model and not enough credit (nothing is charged): deposit "
                    + "credit on /credit", content = @Content(schema = @Schema(implementation = Errors.class))),
            @ApiResponse(responseCode = "403", description = "The owner keeps the API private, or for licensees only",
                    content = @Content(schema = @Schema(implementation = Errors.class))),
            @ApiResponse(responseCode = "404", description = "No such model, or one the caller may not see",
                    content = @Content(schema = @Schema(implementation = Errors.class))),
            @ApiResponse(responseCode = "429", description = "Too many requests, or every serving worker's queue is full "
                    + "(Retry-After says when to try again; nothing is charged)", content = @Content),
            @ApiResponse(responseCode = "503", description = "No serving worker answered and the plaza does not answer "
                    + "in-process (Retry-After; nothing is charged)", content = @Content(schema = @Schema(implementation = Errors.class)))})
    @HotRoute
    @PostMapping(value = "/api/v1/models/{id}/predict", consumes = MediaType.APPLICATION_JSON_VALUE)
    PredictionJson predict(@Parameter(description = "The model's id, as in its page's address") @PathVariable long id,
                           @Parameter(hidden = true) HttpServletRequest request,
                           @Parameter(hidden = true) @AuthenticationPrincipal AccountPrincipal me,
                           @Parameter(hidden = true) Authentication authentication) throws IOException {
        Long tokenId = authentication.getDetails() instanceof ApiTokens.TokenHolder holder ? holder.tokenId() : null;
        JsonNode instances = body(request).get("instances");
        if (instances == null || !instances.isArray()) {
            throw new UserFacingException("instances", "model.predict.error.body", DataSizes.humanReadable(MAX_BODY_BYTES));
        }
        ModelPredictions.Prediction prediction;
        if (!instances.isEmpty() && instances.get(0).has("image")) {
            List<java.awt.image.BufferedImage> images = new ArrayList<>();
            for (JsonNode instance : instances.values()) {
                images.add(UploadedImages.read(base64(instance.path("image"))));
            }
            prediction = predictions.predictImages(id, me, ModelPredictions.Via.API, tokenId, images);
        } else {
            List<Map<String, String>> records = new ArrayList<>();
            for (JsonNode instance : instances.values()) {
                records.add(record(instance));
            }
            prediction = predictions.predictRecords(id, me, ModelPredictions.Via.API, tokenId, records);
        }
        return answer(prediction);
    }

    /**
     * The same call with an image model's pictures as files, one multipart part named {@code image} each (as curl -F
     * sends them). Documented as the JSON call's second request body (one operation per path and method).
     */
    @Operation(hidden = true)
    @HotRoute
    @PostMapping(value = "/api/v1/models/{id}/predict", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    PredictionJson predictFiles(@Parameter(description = "The model's id, as in its page's address") @PathVariable long id,
                                @Parameter(description = "One part per picture") @RequestParam(name = "image", required = false)
                                List<MultipartFile> files,
                                @Parameter(hidden = true) @AuthenticationPrincipal AccountPrincipal me,
                                @Parameter(hidden = true) Authentication authentication) throws IOException {
        Long tokenId = authentication.getDetails() instanceof ApiTokens.TokenHolder holder ? holder.tokenId() : null;
        if (files == null || files.isEmpty()) {
            throw new UserFacingException("image", "model.predict.error.image-parts");
        }
        List<java.awt.image.BufferedImage> images = new ArrayList<>();
        for (MultipartFile file : files) {
            images.add(UploadedImages.read(file.getBytes()));
        }
        return answer(predictions.predictImages(id, me, ModelPredictions.Via.API, tokenId, images));
    }

    private static PredictionJson answer(ModelPredictions.Prediction prediction) {
        return new PredictionJson(prediction.outcomes(), prediction.latencyMs(),
                prediction.workerId() == null ? "plaza" : "worker-" + prediction.workerId(), prediction.coldStart());
    }

    /** The JSON body, read up to {@link #MAX_BODY_BYTES}: a larger one is refused before it is parsed. */
    private JsonNode body(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            throw new UserFacingException("instances", "model.predict.error.body", DataSizes.humanReadable(MAX_BODY_BYTES));
        }
        try (InputStream in = request.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new UserFacingException("instances", "model.predict.error.body", DataSizes.humanReadable(MAX_BODY_BYTES));
            }
            JsonNode body = json.readTree(bytes);
            if (body == null || !body.isObject()) {
                throw new UserFacingException("instances", "model.predict.error.body", DataSizes.humanReadable(MAX_BODY_BYTES));
            }
            return body;
        } catch (JacksonException e) {
            throw new UserFacingException("instances", "model.predict.error.body", DataSizes.humanReadable(MAX_BODY_BYTES));
        }
    }

    private static Map<String, String> record(JsonNode instance) {
        if (!instance.isObject()) {
            throw new UserFacingException("instances", "model.predict.error.body", DataSizes.humanReadable(MAX_BODY_BYTES));
        }
        Map<String, String> record = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : instance.properties()) {
            JsonNode value = field.getValue();
            record.put(field.getKey(), value.isNull() ? "" : value.isValueNode() ? value.asString() : value.toString());
        }
        return record;
    }

    private static byte[] base64(JsonNode image) {
        try {
            return Base64.getDecoder().decode(image.asString(""));
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("image", "model.predict.error.image-unreadable");
        }
    }

    @ExceptionHandler(UserFacingException.class)
    ResponseEntity<Map<String, List<String>>> badInput(UserFacingException e) {
        HttpStatus status = e instanceof InsufficientCreditException ? HttpStatus.PAYMENT_REQUIRED
                : e instanceof ModelPredictions.CallRefusedException ? HttpStatus.FORBIDDEN
                : e instanceof InferenceGateway.Saturated ? HttpStatus.TOO_MANY_REQUESTS
                : e instanceof InferenceGateway.Unavailable ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_REQUEST;
        String text = e.localized(messages);
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status);
        if (status == HttpStatus.TOO_MANY_REQUESTS || status == HttpStatus.SERVICE_UNAVAILABLE) {
            answer.header("Retry-After", status == HttpStatus.TOO_MANY_REQUESTS ? "1" : "5");
        }
        return answer.body(Map.of("errors", List.of(text)));
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<Map<String, List<String>>> notFound() {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("errors", List.of("not found")));
    }
}
