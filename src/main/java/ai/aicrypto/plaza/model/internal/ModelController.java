package ai.aicrypto.plaza.model.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.model.ModelProperties;
import ai.aicrypto.plaza.catalog.ListingForm;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.card.CardFieldError;
import ai.aicrypto.plaza.model.card.InvalidModelCardException;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.Downloads;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

@Controller
class ModelController {

    private static final String EXAMPLE_CARD = "model-card/examples/fashion-mnist-mlp.json";

    private final ModelService models;
    private final ModelPredictions predictions;
    private final MessageSource messages;
    private final ModelProperties properties;
    private final PlazaProperties plaza;
    private final JsonMapper json;
    private final Path workDir;
    /** The limit of a multipart call to the API (pictures as files), said on the page. */
    private final String maxFilesSize;

    ModelController(ModelService models, ModelPredictions predictions, MessageSource messages, ModelProperties properties,
                    PlazaProperties plaza, JsonMapper json,
                    @Value("${plaza.web.max-other-multipart-size}") DataSize maxFilesSize) {
        this.models = models;
        this.predictions = predictions;
        this.messages = messages;
        this.properties = properties;
        this.plaza = plaza;
        this.json = json;
        this.workDir = plaza.dataDir().resolve("work");
        this.maxFilesSize = DataSizes.humanReadable(maxFilesSize.toBytes());
    }

    @GetMapping("/models/new")
    String publishForm(Model model) throws IOException {
        model.addAttribute("cardJson", new ClassPathResource(EXAMPLE_CARD).getContentAsString(StandardCharsets.UTF_8));
        model.addAttribute("tags", "");
        model.addAttribute("royaltyPercent", "0");
        return "model/publish";
    }

    @PostMapping("/models/new")
    String publish(@RequestParam String cardJson, @RequestParam(defaultValue = "") String tags,
                   @RequestParam(defaultValue = "0") String royaltyPercent, @RequestParam(required = false) MultipartFile weights,
                   @AuthenticationPrincipal AccountPrincipal me, Model model, RedirectAttributes redirect)
            throws IOException {
        Path spooled = null;
        try {
            if (weights != null && !weights.isEmpty()) {
                spooled = Files.createTempFile(Files.createDirectories(workDir), "weights-", ".part");
                weights.transferTo(spooled);
            }
            int royaltyBps = ListingForm.royaltyBps(royaltyPercent);
            long id = models.publish(me.id(), new ModelUpload(cardJson, ListingDraft.parseTags(tags), spooled, royaltyBps));
            redirect.addFlashAttribute("notice", "model.published");
            return "redirect:/models/" + id;
        } catch (InvalidModelCardException e) {
            model.addAttribute("cardErrors", e.errors().stream().map(this::describe).toList());
        } catch (UserFacingException e) {
            model.addAttribute("cardErrors", java.util.List.of(
                    e.localized(messages)));
        } finally {
            if (spooled != null) {
                Files.deleteIfExists(spooled);
            }
        }
        model.addAttribute("cardJson", cardJson);
        model.addAttribute("tags", tags);
        model.addAttribute("royaltyPercent", royaltyPercent);
        return "model/publish";
    }

    @GetMapping("/models/{id}")
    String detail(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        ModelService.ModelPage page = models.page(id, me);
        model.addAttribute("listing", page.listing());
        model.addAttribute("card", page.card());
        model.addAttribute("stored", page.model());
        model.addAttribute("mayUse", page.mayUse());
        model.addAttribute("cardOpen", page.cardOpen());
        model.addAttribute("apiPrice", page.model().apiPricePer1000Aic().stripTrailingZeros().toPlainString());
        model.addAttribute("apiVisibility", page.model().apiVisibility().name());
        model.addAttribute("freeCallsPerDay", properties.freeCallsPerDay());
        model.addAttribute("fineTunedFrom", models.fineTuning(id, me, false));
        model.addAttribute("fineTunedInto", models.fineTuning(id, me, true));
        if (page.model().weightsKey() != null) {
            page.card().inputPreprocessing().ifPresent(input ->
                    model.addAttribute("api", ApiExamples.of(id, input, plaza.publicUrl().toString(), json)));
            model.addAttribute("maxFilesSize", maxFilesSize);
        }
        // Owners and licensees try any of their models; other members the published ones (admins see, not run)
        if (me != null && page.model().weightsKey() != null && (page.mayUse() || page.listing().published())) {
            try {
                model.addAttribute("tryInput", predictions.inputOf(id, me));
            } catch (UserFacingException e) {
                model.addAttribute("tryRefusal", e.localized(messages));
            }
        }
        return "model/detail";
    }

    /** The owner's choice of who may call the model and its price per 1,000 predictions. */
    @PostMapping("/models/{id}/api-settings")
    String apiSettings(@PathVariable long id, @RequestParam(defaultValue = "") String visibility,
                       @RequestParam(defaultValue = "") String price, @AuthenticationPrincipal AccountPrincipal me,
                       RedirectAttributes redirect) {
        try {
            models.setApi(id, me, visibility, price);
            redirect.addFlashAttribute("notice", "model.api.saved");
        } catch (UserFacingException e) {
            redirect.addFlashAttribute("apiError", e.localized(messages));
        }
        return "redirect:/models/" + id + "#api";
    }

    @GetMapping("/models/{id}/weights")
    ResponseEntity<StreamingResponseBody> weights(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me)
            throws IOException {
        ModelService.WeightsFile file = models.openWeights(id, me);
        return Downloads.attachment(file.name(), file.content());
    }

    @GetMapping(value = "/models/{id}/card.json", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> card(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me) {
        return Downloads.attachment("model-" + id + "-card.json", MediaType.APPLICATION_JSON,
                models.cardFile(id, me).getBytes(StandardCharsets.UTF_8));
    }

    /** The spec itself, public, so that cards can point at it with $schema. */
    @GetMapping(value = "/schemas/model-card/v1.json", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    String schema() throws IOException {
        return new ClassPathResource(ModelCardValidator.SCHEMA_RESOURCE).getContentAsString(StandardCharsets.UTF_8);
    }

    private String describe(CardFieldError error) {
        String reason = messages.getMessage(error.messageKey(), error.args(), error.defaultMessage(),
                LocaleContextHolder.getLocale());
        return error.field() + ": " + reason;
    }
}
