package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.scoring.ScoringRejected;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Submissions for scripts, with a personal API token ({@code Authorization: Bearer}): the same checks as the
 * browser form. Errors come back as {@code {"errors": [...]}} in the language of {@code Accept-Language}.
 */
@RestController
class SubmissionApiController {

    private final CompetitionService competitions;
    private final SubmissionService submissions;
    private final MessageSource messages;
    private final CompetitionProperties properties;
    private final Path uploadDir;

    SubmissionApiController(CompetitionService competitions, SubmissionService submissions, MessageSource messages,
                            CompetitionProperties properties, PlazaProperties plaza) {
        this.competitions = competitions;
        this.submissions = submissions;
        this.messages = messages;
        this.properties = properties;
        this.uploadDir = plaza.dataDir().resolve("work");
    }

    /** What the API tells about a submission: never a private score. */
    record SubmissionJson(long id, String status, Double publicScore, String failure, boolean selected,
                          Instant createdAt) {

        static SubmissionJson of(Submission s, String failure) {
            return new SubmissionJson(s.id(), s.status().name(), s.publicScore(), failure, s.selected(), s.createdAt());
        }
    }

    @PostMapping("/api/v1/competitions/{slug}/submissions")
    ResponseEntity<SubmissionJson> submit(@PathVariable String slug, @RequestParam(required = false) MultipartFile file,
                                          @RequestParam(defaultValue = "") String description,
                                          @AuthenticationPrincipal AccountPrincipal me) throws IOException {
        Competition c = competitions.bySlug(slug);
        if (file == null || file.isEmpty()) {
            throw new UserFacingException("file", "competition.error.no-file");
        }
        if (file.getSize() > properties.maxSubmissionSize().toBytes()) {
            throw new UserFacingException("file", "upload.error.too-large",
                    DataSizes.humanReadable(properties.maxSubmissionSize().toBytes()));
        }
        Path spooled = Files.createTempFile(Files.createDirectories(uploadDir), "competition-", ".part");
        try {
            file.transferTo(spooled);
            Submission s = submissions.submit(c, me, spooled, file.getOriginalFilename(), description);
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(SubmissionJson.of(s, null));
        } finally {
            Files.deleteIfExists(spooled);
        }
    }

    @GetMapping("/api/v1/competitions/{slug}/submissions/{id}")
    SubmissionJson status(@PathVariable String slug, @PathVariable long id, @AuthenticationPrincipal AccountPrincipal me) {
        Submission s = submissions.mineById(competitions.bySlug(slug), me, id);
        String failure = s.failure() == null ? null : messages.getMessage(s.failure(),
                new Object[] {properties.scoringTimeLimit().toSeconds()}, LocaleContextHolder.getLocale());
        return SubmissionJson.of(s, failure);
    }

    @ExceptionHandler(UserFacingException.class)
    ResponseEntity<Map<String, List<String>>> badInput(UserFacingException e) {
        String text = e.localized(messages);
        return ResponseEntity.badRequest().body(Map.of("errors", List.of(text)));
    }

    @ExceptionHandler(ScoringRejected.class)
    ResponseEntity<Map<String, List<String>>> rejected(ScoringRejected e) {
        List<String> texts = e.problems().stream()
                .map(p -> messages.getMessage(p.key(), p.arguments(), p.key(), LocaleContextHolder.getLocale()))
                .toList();
        return ResponseEntity.badRequest().body(Map.of("errors", texts));
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<Map<String, List<String>>> notFound() {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("errors", List.of("not found")));
    }
}
