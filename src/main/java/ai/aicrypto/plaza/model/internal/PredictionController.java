package ai.aicrypto.plaza.model.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.serving.InsufficientCreditException;
import org.springframework.context.MessageSource;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;

/** "Try it" on a model's page: a form made from the model's input (or an image), answered with its prediction. */
@Controller
class PredictionController {

    /** Form fields {@code in[COLUMN]} carry the record. */
    private static final String FIELD = "in[";

    private final ModelPredictions predictions;
    private final MessageSource messages;

    PredictionController(ModelPredictions predictions, MessageSource messages) {
        this.predictions = predictions;
        this.messages = messages;
    }

    @PostMapping("/models/{id}/try")
    String tryIt(@PathVariable long id, @RequestParam Map<String, String> params,
                 @RequestParam(required = false) MultipartFile image, @AuthenticationPrincipal AccountPrincipal me,
                 Model model) throws IOException {
        try {
            ModelPredictions.Prediction prediction = image != null && !image.isEmpty()
                    ? predictions.predictImages(id, me, ModelPredictions.Via.PAGE, null, List.of(UploadedImages.read(image.getBytes())))
                    : predictions.predictRecords(id, me, ModelPredictions.Via.PAGE, null, List.of(record(params)));
            model.addAttribute("outcome", prediction.outcomes().get(0));
            model.addAttribute("latencyMs", prediction.latencyMs());
            model.addAttribute("workerId", prediction.workerId());
            model.addAttribute("coldStart", prediction.coldStart());
        } catch (UserFacingException e) {
            model.addAttribute("error", e.localized(messages));
            model.addAttribute("needsCredit", e instanceof InsufficientCreditException);
        }
        return "model/try :: result";
    }

    private static Map<String, String> record(Map<String, String> params) {
        Map<String, String> record = new LinkedHashMap<>();
        params.forEach((name, value) -> {
            if (name.startsWith(FIELD) && name.endsWith("]")) {
                record.put(name.substring(FIELD.length(), name.length() - 1), value);
            }
        });
        return record;
    }
}
