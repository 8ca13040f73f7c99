package ai.aicrypto.plaza.dataset.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.catalog.License;
import ai.aicrypto.plaza.dataset.DatasetProperties;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.Downloads;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import ai.aicrypto.plaza.platform.LiveUpdates;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.RequestContextUtils;

@Controller
class DatasetController {

    /** Fields of the upload form itself; any other field named by an error belongs to the listing. */
    private static final Set<String> UPLOAD_FIELDS = Set.of("file", "labelsFile", "labelColumn", "textColumns", "imageSize");

    private final DatasetService datasets;
    private final DatasetImports imports;
    private final ImportExecutor executor;
    private final LiveUpdates live;
    private final DatasetProperties properties;
    private final MessageSource messages;
    private final Path uploadDir;

    DatasetController(DatasetService datasets, DatasetImports imports, ImportExecutor executor, LiveUpdates live,
                      DatasetProperties properties, MessageSource messages, PlazaProperties plaza) {
        this.datasets = datasets;
        this.imports = imports;
        this.executor = executor;
        this.live = live;
        this.properties = properties;
        this.messages = messages;
        this.uploadDir = plaza.dataDir().resolve("work");
    }

    @ModelAttribute
    void formOptions(Model model) {
        model.addAttribute("licenses", License.values());
    }

    /** The form, and the member's uploads still being imported or refused lately, so their pages are easy to find. */
    @GetMapping("/datasets/new")
    String uploadForm(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        model.addAttribute("form", new DatasetUploadForm());
        model.addAttribute("unfinishedImports", imports.unfinishedOf(me.id()));
        return "dataset/upload";
    }

    /**
     * Stores the upload and queues its import, or shows the form again with the reason: what is cheap to check is
     * checked here, the rest while the import's page shows how far it is. An HTMX request (the form with its progress
     * bar) is told where to go by HX-Redirect; a plain form post is redirected. With every import thread busy and the
     * queue full, the form comes back with 503 and Retry-After, nothing stored.
     */
    @PostMapping("/datasets/new")
    String upload(@ModelAttribute("form") DatasetUploadForm form, BindingResult binding,
                  @RequestParam(required = false) MultipartFile file,
                  @RequestParam(required = false) MultipartFile labelsFile,
                  @AuthenticationPrincipal AccountPrincipal me,
                  @RequestHeader(name = "HX-Request", required = false) String htmx,
                  HttpServletResponse response, Model model) throws IOException {
        List<Path> spooled = new ArrayList<>();
        try (ImportExecutor.Place place = executor.reserve()) {
            Path data = spool(file, "file", spooled);
            Path labels = labelsFile == null || labelsFile.isEmpty() ? null : spool(labelsFile, "labelsFile", spooled);
            long importId = datasets.startImport(me.id(), new DatasetUpload(form.getListing().toDraft(), data,
                    file.getOriginalFilename(), labels, labels == null ? null : labelsFile.getOriginalFilename(),
                    form.getLabelColumn(), form.classNameList(), form.textColumnList(), form.imageOptions()), place);
            spooled.clear(); // the import's now, deleted when it ends
            String target = "/datasets/imports/" + importId;
            if (htmx != null) {
                response.setHeader("HX-Redirect", target);
                return "dataset/upload :: form";
            }
            return "redirect:" + target;
        } catch (ImportExecutor.Busy e) {
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setHeader("Retry-After", String.valueOf(ImportExecutor.RETRY_AFTER_SECONDS));
            binding.reject(e.getMessage(), new Object[] {ImportExecutor.RETRY_AFTER_SECONDS}, e.getMessage());
            return htmx != null ? "dataset/upload :: form" : "dataset/upload";
        } catch (UserFacingException e) {
            String field = e.field() == null || UPLOAD_FIELDS.contains(e.field()) ? e.field() : "listing." + e.field();
            if (field != null && binding.getFieldType(field) != null) {
                binding.rejectValue(field, e.messageKey(), e.args(), e.messageKey());
            } else {
                binding.reject(e.messageKey(), e.args(), e.messageKey());
            }
            model.addAttribute("fileError", "file".equals(field) || "labelsFile".equals(field));
            return htmx != null ? "dataset/upload :: form" : "dataset/upload";
        } finally {
            for (Path p : spooled) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * An import, to its uploader only: how far it is while it runs (kept current by its live updates), the reason when
     * it was refused; once READY, the dataset itself.
     */
    @GetMapping("/datasets/imports/{id}")
    String importPage(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model,
                      RedirectAttributes redirect) {
        DatasetImport state = imports.view(id, me);
        if (state.status() == DatasetImport.Status.READY && state.listingId() != null) {
            redirect.addFlashAttribute("notice", "dataset.uploaded");
            return "redirect:/datasets/" + state.listingId();
        }
        addImport(state, model);
        return "dataset/import";
    }

    /** The part of the import's page that changes, fetched again on each live update; READY sends the page on. */
    @GetMapping("/datasets/imports/{id}/state")
    String importState(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model,
                       HttpServletRequest request, HttpServletResponse response) {
        DatasetImport state = imports.view(id, me);
        if (state.status() == DatasetImport.Status.READY && state.listingId() != null) {
            String target = "/datasets/" + state.listingId();
            // HX-Redirect is not a Spring redirect, so the flash map is saved by hand.
            RequestContextUtils.getOutputFlashMap(request).put("notice", "dataset.uploaded");
            RequestContextUtils.saveOutputFlashMap(target, request, response);
            response.setHeader("HX-Redirect", target);
        } else if (state.status() == DatasetImport.Status.REFUSED) {
            response.setHeader("HX-Refresh", "true"); // the whole page again, without its live updates: nothing more comes
        }
        addImport(state, model);
        return "dataset/import :: state";
    }

    private void addImport(DatasetImport state, Model model) {
        model.addAttribute("dataImport", state);
        model.addAttribute("processing", state.status() == DatasetImport.Status.PROCESSING);
        model.addAttribute("reason", state.reasonKey() == null ? null : messages.getMessage(state.reasonKey(),
                state.reasonArgs().toArray(), state.reasonKey(), LocaleContextHolder.getLocale()));
    }

    @GetMapping(value = "/datasets/imports/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter importEvents(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, HttpServletRequest request) {
        imports.view(id, me);
        return live.subscribe(DatasetImports.topic(id), DatasetImports.EVENT, request);
    }

    @GetMapping("/datasets/{id}")
    String detail(@PathVariable long id, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        DatasetService.DatasetPage page = datasets.page(id, me);
        model.addAttribute("listing", page.listing());
        model.addAttribute("dataset", page.dataset());
        model.addAttribute("profile", page.dataset().profile());
        model.addAttribute("histogram", HistogramBar.ofLabel(page.dataset().profile()));
        model.addAttribute("mayUse", datasets.mayUse(id, me));
        model.addAttribute("owner", me != null && me.id() == page.listing().ownerId());
        model.addAttribute("unvettedComputeAllowed", page.unvettedComputeAllowed());
        return "dataset/detail";
    }

    @PostMapping("/datasets/{id}/compute-policy")
    String computePolicy(@PathVariable long id, @RequestParam(defaultValue = "false") boolean allowUnvetted,
                         @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        datasets.allowUnvettedCompute(id, me, allowUnvetted);
        redirect.addFlashAttribute("notice", "dataset.compute-policy.saved");
        return "redirect:/datasets/" + id;
    }

    @GetMapping("/datasets/{id}/download")
    ResponseEntity<StreamingResponseBody> download(@PathVariable long id, @RequestParam(defaultValue = "0") int file,
                                                   @AuthenticationPrincipal AccountPrincipal me) throws IOException {
        DatasetService.RawFile raw = datasets.openRaw(id, file, me);
        return Downloads.attachment(raw.name(), raw.content());
    }

    /** Moves the container's spooled part into our work directory (a rename on the same disk, no copy in memory). */
    private Path spool(MultipartFile part, String field, List<Path> spooled) throws IOException {
        if (part == null || part.getOriginalFilename() == null || part.getOriginalFilename().isBlank()) {
            throw new UserFacingException(field, "dataset.error.no-file");
        }
        if (part.isEmpty()) {
            throw new UserFacingException(field, "dataset.error.empty-file", part.getOriginalFilename());
        }
        if (part.getSize() > properties.maxUploadSize().toBytes()) {
            // The container enforces the same limit; this holds where the container is not in front (tests, proxies).
            throw new UserFacingException(field, "upload.error.too-large", DataSizes.humanReadable(properties.maxUploadSize().toBytes()));
        }
        Path target = Files.createTempFile(Files.createDirectories(uploadDir), "upload-", ".part");
        spooled.add(target);
        part.transferTo(target);
        return target;
    }
}
