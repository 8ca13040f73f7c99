package ai.aicrypto.plaza.model.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's predictions for scripts, with a personal API token ({@code Authorization: Bearer}):
 * {@code POST /api/v1/models/{id}/predict} with {@code {"instances": [...]}}, each instance either an object of
 * the model's input columns (values as in its CSV, strings or numbers) or {@code {"image": "<base64>"}}. The same
 * checks and quota as "try it". Errors come back as {@code {"errors": [...]}} in the language of
 * {@code Accept-Language}.
 */
@RestController
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

    record PredictionJson(List<ModelPredictions.Outcome> predictions, double latencyMs) {
    }

    @PostMapping(value = "/api/v1/models/{id}/predict", consumes = MediaType.APPLICATION_JSON_VALUE)
    PredictionJson predict(@PathVariable long id, HttpServletRequest request, @AuthenticationPrincipal AccountPrincipal me)
            throws IOException {
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
            prediction = predictions.predictImages(id, me, ModelPredictions.Via.API, images);
        } else {
            List<Map<String, String>> records = new ArrayList<>();
            for (JsonNode instance : instances.values()) {
                records.add(record(instance));
            }
            prediction = predictions.predictRecords(id, me, ModelPredictions.Via.API, records);
        }
        return new PredictionJson(prediction.outcomes(), prediction.latencyMs());
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
        // 402: the free calls are used up; paying for more arrives with metering
        HttpStatus status = e.messageKey().equals("model.predict.error.free-calls-used") ? HttpStatus.PAYMENT_REQUIRED
                : HttpStatus.BAD_REQUEST;
        String text = messages.getMessage(e.messageKey(), e.args(), e.messageKey(), LocaleContextHolder.getLocale());
        return ResponseEntity.status(status).body(Map.of("errors", List.of(text)));
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<Map<String, List<String>>> notFound() {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("errors", List.of("not found")));
    }
}
