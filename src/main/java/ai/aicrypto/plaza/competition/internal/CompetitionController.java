package ai.aicrypto.plaza.competition.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.competition.scoring.ScoringRejected;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.platform.Downloads;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UploadedFiles;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.format.annotation.DateTimeFormat;
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
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.RequestContextUtils;

/**
 * Competition pages: the list, hosting, a competition's page with its leaderboards (live over SSE), joining, the
 * team page and the team's submissions. HTMX requests get fragments; every page also works as plain forms.
 */
@Controller
class CompetitionController {

    private final CompetitionService competitions;
    private final TeamService teams;
    private final SubmissionService submissions;
    private final Standings standings;
    private final LiveUpdates live;
    private final MessageSource messages;
    private final CompetitionProperties properties;
    private final Path uploadDir;
    private final PrizeEscrow prizes;
    private final WalletChain chain;
    private final CompetitionFiles files;
    private final HostTools hostTools;
    private final CodeSubmissions code;
    private final DataCompetitions data;
    private final Phases phases;
    private final PhaseSetup phaseSetup;

    CompetitionController(CompetitionService competitions, TeamService teams, SubmissionService submissions,
                          Standings standings, LiveUpdates live, MessageSource messages,
                          CompetitionProperties properties, PlazaProperties plaza, PrizeEscrow prizes, WalletChain chain,
                          CompetitionFiles files, HostTools hostTools, CodeSubmissions code, DataCompetitions data,
                          Phases phases, PhaseSetup phaseSetup) {
        this.phases = phases;
        this.phaseSetup = phaseSetup;
        this.code = code;
        this.data = data;
        this.files = files;
        this.hostTools = hostTools;
        this.prizes = prizes;
        this.chain = chain;
        this.competitions = competitions;
        this.teams = teams;
        this.submissions = submissions;
        this.standings = standings;
        this.live = live;
        this.messages = messages;
        this.properties = properties;
        this.uploadDir = plaza.dataDir().resolve("work");
    }

    @GetMapping("/competitions")
    String list(Model model) {
        model.addAttribute("competitions", competitions.list(200));
        model.addAttribute("now", competitions.now());
        return "competition/list";
    }

    @GetMapping("/competitions/new")
    String hostForm(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        model.addAttribute("form", new CompetitionForm());
        return hostPage(me, model);
    }

    @PostMapping("/competitions/new")
    String host(@ModelAttribute("form") CompetitionForm form, BindingResult binding,
                @RequestParam(required = false) MultipartFile solution,
                @RequestParam(required = false) MultipartFile testInputs, @AuthenticationPrincipal AccountPrincipal me,
                Model model, RedirectAttributes redirect) throws IOException {
        if (binding.hasErrors()) {
            return hostPage(me, model); // a number or time that does not parse: typeMismatch.* messages
        }
        try (Spool spool = new Spool()) {
            Path spooledSolution = spool.required(solution, "solution");
            Path spooledInputs = spool.optional(testInputs, "testInputs");
            // Past the cap the form is refused before any row's files are spooled.
            if (form.getLaterPhases().stream().filter(row -> row != null && !row.blank()).count()
                    > CompetitionService.MAX_LATER_PHASES) {
                throw new UserFacingException(null, "competition.error.phase-count", CompetitionService.MAX_LATER_PHASES + 1);
            }
            List<PhaseSetup.Request> later = new ArrayList<>();
            for (int i = 0; i < form.getLaterPhases().size(); i++) {
                CompetitionForm.LaterPhase row = form.getLaterPhases().get(i);
                if (row != null && !row.blank()) {
                    String at = "laterPhases[" + i + "].";
                    later.add(new PhaseSetup.Request(row.getName(), row.getOpensAt(), row.getEndsAt(),
                            row.getSubmissionsPerDay(), row.getPublicPercent(), spool.required(row.getSolution(), at + "solution"),
                            spool.optional(row.getTestInputs(), at + "testInputs")));
                }
            }
            Competition c = competitions.host(me, form, spooledSolution, spooledInputs, later);
            redirect.addFlashAttribute("notice", "competition.hosted");
            return "redirect:/competitions/" + c.slug();
        } catch (UserFacingException e) {
            e.rejectOn(binding);
            return hostPage(me, model);
        } catch (ScoringRejected e) {
            model.addAttribute("fileErrors", problems(e));
            return hostPage(me, model);
        } catch (CompetitionService.PhaseFilesRejected e) {
            List<String> errors = new ArrayList<>();
            errors.add(messages.getMessage("competition.error.phase-files", new Object[] {e.seq(), e.name()},
                    LocaleContextHolder.getLocale()));
            errors.addAll(problems(e.rejected()));
            model.addAttribute("fileErrors", errors);
            return hostPage(me, model);
        }
    }

    private String hostPage(AccountPrincipal me, Model model) {
        model.addAttribute("metrics", Metric.values());
        model.addAttribute("maxLaterPhases", CompetitionService.MAX_LATER_PHASES);
        model.addAttribute("hostDatasets", data.choices(me.id())); // the training data is one of the host's own
        model.addAttribute("recommendations", List.of(RecommendedModels.GBDT, RecommendedModels.MLP, RecommendedModels.LINEAR,
                RecommendedModels.CNN, RecommendedModels.CNN_DEEP));
        model.addAttribute("trainingPools", data.poolsRequired());
        return "competition/host";
    }

    /** The competition's page, showing phase {@code phase} (by number; by default the open or latest started one). */
    @GetMapping("/competitions/{slug}")
    String page(@PathVariable String slug, @RequestParam(required = false) Integer phase,
                @AuthenticationPrincipal AccountPrincipal me, Model model) {
        Competition c = competitions.bySlug(slug);
        Instant now = competitions.now();
        CompetitionPhase shown = phases.shown(c, phase, now);
        List<CompetitionPhase> all = phases.of(c);
        model.addAttribute("competition", c);
        model.addAttribute("phase", c.phase(now));
        model.addAttribute("phases", all);
        model.addAttribute("lastPhase", all.get(all.size() - 1));
        model.addAttribute("now", now);
        model.addAttribute("overviewHtml", competitions.html(c.overview()));
        model.addAttribute("rulesHtml", competitions.html(c.rules()));
        model.addAttribute("dataHtml", competitions.html(c.dataDescription()));
        model.addAttribute("host", c.hostedBy(me));
        model.addAttribute("team", me == null ? null : teams.teamOf(c.id(), me.id()).orElse(null));
        model.addAttribute("chart", ScoreChart.of(standings.history(shown), shown.finalized() ? shown.closesAt() : now));
        model.addAttribute("prizesOnChain", prizes.enabled());
        model.addAttribute("pool", prizes.pool(c).orElse(null));
        model.addAttribute("payouts", prizes.payouts(c));
        model.addAttribute("chain", chain);
        model.addAttribute("files", files.list(c, shown, me));
        model.addAttribute("trainingSize", DataSizes.humanReadable(files.trainingBytes(c)));
        model.addAttribute("mayDownload", files.mayDownload(c, me));
        model.addAttribute("rescores", hostTools.rescores(c));
        model.addAttribute("dataTemplate", data.describe(c));
        model.addAttribute("trainingPool", data.pool(c).orElse(null));
        leaderboard(c, shown, model);
        return "competition/page";
    }

    /** A phase's test inputs or sample submission, streamed to the host or a participant. */
    @GetMapping("/competitions/{slug}/files/{file:test-inputs|sample-submission}")
    void file(@PathVariable String slug, @PathVariable String file, @RequestParam(required = false) Integer phase,
              @AuthenticationPrincipal AccountPrincipal me, HttpServletResponse response) throws IOException {
        Competition c = competitions.bySlug(slug);
        send(files.open(c, phases.shown(c, phase, competitions.now()), me, file.equals("test-inputs") ? CompetitionFiles.Kind.TEST_INPUTS : CompetitionFiles.Kind.SAMPLE),
                response);
    }

    /** A raw file of the training dataset, streamed to the host or a participant. */
    @GetMapping("/competitions/{slug}/files/training/{seq}")
    void trainingFile(@PathVariable String slug, @PathVariable int seq, @AuthenticationPrincipal AccountPrincipal me,
                      HttpServletResponse response) throws IOException {
        send(files.openTraining(competitions.bySlug(slug), me, seq), response);
    }

    private static void send(CompetitionFiles.Download d, HttpServletResponse response) throws IOException {
        try (InputStream in = d.content()) {
            Downloads.stream(response, d.name(), MediaType.APPLICATION_OCTET_STREAM, in::transferTo);
        }
    }

    @PostMapping("/competitions/{slug}/close")
    String close(@PathVariable String slug, @RequestParam(defaultValue = "") String reason,
                 @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        Competition c = competitions.bySlug(slug);
        return act(redirect, "competition.closed", "/competitions/" + slug, () -> hostTools.close(c, me, reason));
    }

    /**
     * A fixed solution of a phase (the last by default): every submission of the phase is scored again; refusals come
     * back to the page with the exact problems.
     */
    @PostMapping("/competitions/{slug}/rescore")
    String rescore(@PathVariable String slug, @RequestParam(required = false) Integer phase,
                   @RequestParam(required = false) MultipartFile solution,
                   @RequestParam(defaultValue = "") String reason, @AuthenticationPrincipal AccountPrincipal me,
                   RedirectAttributes redirect) throws IOException {
        Competition c = competitions.bySlug(slug);
        if (!c.hostedBy(me)) {
            throw new NotFoundException(); // before reading the file
        }
        CompetitionPhase fixed = phase == null ? phases.last(c) : phases.bySeq(c, phase);
        try (Spool spool = new Spool()) {
            hostTools.rescore(c, fixed, me, spool.required(solution, "solution"), reason);
            redirect.addFlashAttribute("notice", "competition.rescored");
        } catch (UserFacingException e) {
            redirect.addFlashAttribute("error", message(e));
        } catch (ScoringRejected e) {
            redirect.addFlashAttribute("errors", problems(e));
        }
        return "redirect:/competitions/" + slug + "#host-tools";
    }

    /**
     * Where an upload over the limit to a host tool (a fixed solution, a new phase) is sent back to (UploadLimitFilter):
     * the page, which then says so.
     */
    @GetMapping({"/competitions/{slug}/rescore", "/competitions/{slug}/phases"})
    String hostToolTooLarge(@PathVariable String slug) {
        return "redirect:/competitions/" + competitions.bySlug(slug).slug() + "?tooLarge#host-tools";
    }

    /**
     * Every team's final submissions in a phase (the last by default) as one ZIP, streamed: the host's, once the
     * phase's final ranking is made.
     */
    @GetMapping("/competitions/{slug}/final-submissions.zip")
    void finalSubmissions(@PathVariable String slug, @RequestParam(required = false) Integer phase,
                          @AuthenticationPrincipal AccountPrincipal me, HttpServletResponse response) throws IOException {
        Competition c = competitions.bySlug(slug);
        if (!c.hostedBy(me)) {
            throw new NotFoundException();
        }
        CompetitionPhase p = phase == null ? phases.last(c) : phases.bySeq(c, phase);
        hostTools.requireFinalSubmissions(c, p, me);
        String name = p.seq() == 1 && phase == null ? c.slug() : c.slug() + "-phase-" + p.seq();
        Downloads.stream(response, name + "-final-submissions.zip", new MediaType("application", "zip"),
                out -> hostTools.writeFinalSubmissions(p, out));
    }

    /**
     * Adds a later phase with its own dates, quota, split, solution and test inputs: the host's, before it opens.
     * Refusals come back to the page with the exact problems.
     */
    @PostMapping("/competitions/{slug}/phases")
    String addPhase(@PathVariable String slug, @RequestParam(defaultValue = "") String phaseName,
                    @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime opensAt,
                    @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) LocalDateTime endsAt,
                    @RequestParam(defaultValue = "5") int submissionsPerDay, @RequestParam(defaultValue = "30") int publicPercent,
                    @RequestParam(required = false) MultipartFile solution,
                    @RequestParam(required = false) MultipartFile testInputs,
                    @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) throws IOException {
        Competition c = competitions.bySlug(slug);
        if (!c.hostedBy(me)) {
            throw new NotFoundException(); // before reading the files
        }
        try (Spool spool = new Spool()) {
            phaseSetup.add(c, me, data.isData(c), new PhaseSetup.Request(phaseName, opensAt, endsAt, submissionsPerDay,
                    publicPercent, spool.required(solution, "solution"), spool.optional(testInputs, "testInputs")),
                    competitions.now());
            redirect.addFlashAttribute("notice", "competition.phases.added");
        } catch (UserFacingException e) {
            redirect.addFlashAttribute("error", message(e));
        } catch (ScoringRejected e) {
            redirect.addFlashAttribute("errors", problems(e));
        }
        return "redirect:/competitions/" + slug + "#host-tools";
    }

    @GetMapping("/competitions/{slug}/edit")
    String editForm(@PathVariable String slug, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        Competition c = competitions.bySlug(slug);
        if (!c.hostedBy(me)) {
            throw new NotFoundException();
        }
        CompetitionForm form = new CompetitionForm();
        form.setTitle(c.title());
        form.setOverview(c.overview());
        form.setRules(c.rules());
        form.setDataDescription(c.dataDescription());
        model.addAttribute("competition", c);
        model.addAttribute("form", form);
        return "competition/edit";
    }

    @PostMapping("/competitions/{slug}/edit")
    String edit(@PathVariable String slug, @ModelAttribute("form") CompetitionForm form, BindingResult binding,
                @AuthenticationPrincipal AccountPrincipal me, Model model, RedirectAttributes redirect) {
        Competition c = competitions.bySlug(slug);
        try {
            competitions.editTexts(c, me, form);
        } catch (UserFacingException e) {
            e.rejectOn(binding);
            model.addAttribute("competition", c);
            return "competition/edit";
        }
        redirect.addFlashAttribute("notice", "competition.saved");
        return "redirect:/competitions/" + slug;
    }

    @GetMapping("/competitions/{slug}/leaderboard")
    String leaderboardFragment(@PathVariable String slug, @RequestParam(required = false) Integer phase, Model model) {
        Competition c = competitions.bySlug(slug);
        leaderboard(c, phases.shown(c, phase, competitions.now()), model);
        return "competition/page :: leaderboard";
    }

    private void leaderboard(Competition c, CompetitionPhase shown, Model model) {
        model.addAttribute("competition", c);
        model.addAttribute("shownPhase", shown);
        model.addAttribute("board", standings.publicBoard(shown, properties.leaderboardRows()));
        model.addAttribute("rankedTeams", standings.rankedTeams(shown));
        model.addAttribute("baselines", standings.baselines(shown));
        model.addAttribute("finalBoard", standings.finalBoard(shown, properties.leaderboardRows()));
        model.addAttribute("bestData", data.isData(c) ? data.bestData(c) : null);
    }

    @GetMapping(path = "/competitions/{slug}/live", produces = "text/event-stream")
    SseEmitter liveLeaderboard(@PathVariable String slug, HttpServletRequest request) {
        return live.subscribe(Standings.topic(competitions.bySlug(slug).id()), "leaderboard", request);
    }

    /** A phase's public leaderboard, or once the phase is finalized its final one; every team. */
    @GetMapping("/competitions/{slug}/leaderboard.csv")
    ResponseEntity<byte[]> csv(@PathVariable String slug, @RequestParam(required = false) Integer phase) {
        Competition c = competitions.bySlug(slug);
        CompetitionPhase shown = phases.shown(c, phase, competitions.now());
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT)) {
            if (shown.finalized()) {
                csv.printRecord("final_rank", "team", "private_score", "public_score", "entries");
                for (Standings.FinalRow r : standings.finalBoard(shown, Integer.MAX_VALUE)) {
                    csv.printRecord(r.rank(), SpreadsheetText.of(r.team()), r.privateText(), r.publicText(), r.entries());
                }
            } else {
                csv.printRecord("rank", "team", "public_score", "entries", "last_submission");
                for (Standings.Row r : standings.publicBoard(shown, Integer.MAX_VALUE)) {
                    csv.printRecord(r.rank(), SpreadsheetText.of(r.team()), r.scoreText(), r.entries(), r.lastSubmission());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Downloads.attachment(c.slug() + "-leaderboard.csv", new MediaType("text", "csv", StandardCharsets.UTF_8),
                out.toString().getBytes(StandardCharsets.UTF_8));
    }

    @PostMapping("/competitions/{slug}/join")
    String join(@PathVariable String slug, @RequestParam(defaultValue = "false") boolean acceptRules,
                @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        Competition c = competitions.bySlug(slug);
        return act(redirect, "competition.joined", "/competitions/" + slug,
                () -> teams.join(c, me, acceptRules, competitions.now()));
    }

    @GetMapping("/competitions/{slug}/team")
    String team(@PathVariable String slug, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        Competition c = competitions.bySlug(slug);
        TeamService.Team team = teams.requireTeam(c, me);
        model.addAttribute("competition", c);
        model.addAttribute("team", team);
        model.addAttribute("invites", teams.invitesTo(team.id()));
        model.addAttribute("mergeOpen", competitions.now().isBefore(c.mergeDeadline()));
        return "competition/team";
    }

    @PostMapping("/competitions/{slug}/team/invite")
    String invite(@PathVariable String slug, @RequestParam(defaultValue = "") String username,
                  @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        Competition c = competitions.bySlug(slug);
        return act(redirect, "competition.team.invited", "/competitions/" + slug + "/team",
                () -> teams.invite(c, me, username, competitions.now()));
    }

    @PostMapping("/competitions/{slug}/team/invites/{id}/accept")
    String accept(@PathVariable String slug, @PathVariable long id, @AuthenticationPrincipal AccountPrincipal me,
                  RedirectAttributes redirect) {
        Competition c = competitions.bySlug(slug);
        return act(redirect, "competition.team.merged", "/competitions/" + slug + "/team",
                () -> teams.accept(c, me, id, competitions.now()));
    }

    @GetMapping("/competitions/{slug}/submissions")
    String mySubmissions(@PathVariable String slug, @AuthenticationPrincipal AccountPrincipal me, Model model) {
        Competition c = competitions.bySlug(slug);
        return submissionsPage(c, me, model);
    }

    private String submissionsPage(Competition c, AccountPrincipal me, Model model) {
        model.addAttribute("competition", c);
        List<Submission> mine = submissions.mine(c, me);
        model.addAttribute("submissions", mine);
        model.addAttribute("pending", mine.stream().anyMatch(Submission::pending));
        model.addAttribute("host", c.hostedBy(me));
        Instant now = competitions.now();
        model.addAttribute("open", now.isBefore(c.closesAt()));
        model.addAttribute("timeLimitSeconds", properties.scoringTimeLimit().toSeconds());
        model.addAttribute("maxSize", DataSizes.humanReadable(properties.maxSubmissionSize().toBytes()));
        // What a submission made now goes to: the open phase, else the next (or last) one.
        List<CompetitionPhase> all = phases.of(c);
        CompetitionPhase current = all.stream().filter(p -> p.open(now) || !p.started(now)).findFirst()
                .orElse(all.get(all.size() - 1));
        model.addAttribute("phases", all);
        model.addAttribute("phaseById", all.stream().collect(Collectors.toMap(CompetitionPhase::id, p -> p)));
        model.addAttribute("currentPhase", current);
        model.addAttribute("openPhaseId", current.open(now) ? current.id() : null);
        boolean testInputs = current.testInputs() != CompetitionPhase.InputKind.NONE;
        DataCompetitions.Template template = data.template(c).orElse(null);
        model.addAttribute("dataTemplate", template);
        model.addAttribute("ownDatasets", template != null ? data.choices(me.id()) : List.of());
        model.addAttribute("codeSubmissions", testInputs && template == null);
        model.addAttribute("fileSubmissions", template == null && !c.modelsOnly());
        model.addAttribute("runnableModels", testInputs && template == null ? code.choices(current, me.id()) : List.of());
        return "competition/submissions";
    }

    /** Takes one of the member's datasets in a data competition; the plaza trains the host's model on it. */
    @PostMapping("/competitions/{slug}/submissions/data")
    String submitData(@PathVariable String slug, @RequestParam(required = false) Long datasetId,
                      @RequestParam(defaultValue = "") String description, @AuthenticationPrincipal AccountPrincipal me,
                      HttpServletResponse response, Model model, RedirectAttributes redirect) {
        return submitChoice(slug, me, new UserFacingException("datasetId", "competition.error.data-not-yours"), "data",
                "competition.submission.training", (c, submitter) -> submissions.submitData(c, submitter, datasetId, description),
                datasetId, description, response, model, redirect);
    }

    /** Takes one of the member's models as a code submission; the plaza runs it when it scores it. */
    @PostMapping("/competitions/{slug}/submissions/model")
    String submitModel(@PathVariable String slug, @RequestParam(required = false) Long modelId,
                       @RequestParam(defaultValue = "") String description, @AuthenticationPrincipal AccountPrincipal me,
                       HttpServletResponse response, Model model, RedirectAttributes redirect) {
        return submitChoice(slug, me, new UserFacingException("modelId", "competition.error.model-not-yours"), "model",
                "competition.submission.queued", (c, submitter) -> submissions.submitModel(c, submitter, modelId, description),
                modelId, description, response, model, redirect);
    }

    /**
     * Submits something the member chose from a list of theirs (a model, a dataset): redirected with {@code notice},
     * or the page again with the reason under the form named by {@code form} ({@code modelErrors}, {@code dataErrors}).
     */
    private String submitChoice(String slug, AccountPrincipal me, UserFacingException noChoice, String form, String notice,
                                BiConsumer<Competition, AccountPrincipal> submit, Long chosen,
                                String description, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        Competition c = competitions.bySlug(slug);
        try {
            if (chosen == null) {
                throw noChoice;
            }
            submit.accept(c, me);
            redirect.addFlashAttribute("notice", notice);
            return "redirect:/competitions/" + slug + "/submissions";
        } catch (UserFacingException e) {
            model.addAttribute(form + "Errors", List.of(message(e)));
        }
        model.addAttribute(form + "Description", description);
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        return submissionsPage(c, me, model);
    }

    /**
     * Takes a predictions file. An HTMX request (drag-and-drop with a progress bar) is told where to go by
     * HX-Redirect, or gets the form back with the reasons; a plain form post is redirected or gets the page back.
     */
    @PostMapping("/competitions/{slug}/submissions")
    String submit(@PathVariable String slug, @RequestParam(required = false) MultipartFile file,
                  @RequestParam(defaultValue = "") String description, @AuthenticationPrincipal AccountPrincipal me,
                  @RequestHeader(name = "HX-Request", required = false) String htmx, HttpServletRequest request,
                  HttpServletResponse response, Model model, RedirectAttributes redirect) throws IOException {
        Competition c = competitions.bySlug(slug);
        try (Spool spool = new Spool()) {
            submissions.submit(c, me, spool.required(file, "file"), file.getOriginalFilename(), description);
            String target = "/competitions/" + slug + "/submissions";
            if (htmx != null) {
                RequestContextUtils.getOutputFlashMap(request).put("notice", "competition.submission.queued");
                RequestContextUtils.saveOutputFlashMap(target, request, response);
                response.setHeader("HX-Redirect", target);
                return "competition/submissions :: upload";
            }
            redirect.addFlashAttribute("notice", "competition.submission.queued");
            return "redirect:" + target;
        } catch (UserFacingException e) {
            model.addAttribute("fileErrors", List.of(message(e)));
        } catch (ScoringRejected e) {
            model.addAttribute("fileErrors", problems(e));
        }
        model.addAttribute("description", description);
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        String page = submissionsPage(c, me, model);
        return htmx != null ? page + " :: upload" : page;
    }

    @PostMapping("/competitions/{slug}/submissions/{id}/select")
    String toggleSelection(@PathVariable String slug, @PathVariable long id,
                           @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        Competition c = competitions.bySlug(slug);
        return act(redirect, null, "/competitions/" + slug + "/submissions", () -> submissions.toggleSelection(c, me, id));
    }

    /** Runs a form action and redirects, with {@code notice} (when given) or the refusal's message as flash. */
    private String act(RedirectAttributes redirect, String notice, String target, Runnable action) {
        try {
            action.run();
            if (notice != null) {
                redirect.addFlashAttribute("notice", notice);
            }
        } catch (UserFacingException e) {
            redirect.addFlashAttribute("error", message(e));
        }
        return "redirect:" + target;
    }

    private Path spool(MultipartFile part, String field) throws IOException {
        return UploadedFiles.spool(part, field, uploadDir, properties.maxSubmissionSize().toBytes());
    }

    /** Uploads spooled to the work folder for one request, deleted when it is done. */
    private final class Spool implements AutoCloseable {

        private final List<Path> files = new ArrayList<>();

        /** @throws UserFacingException on {@code field} when no file was chosen, it is empty or too large */
        Path required(MultipartFile part, String field) throws IOException {
            Path file = spool(part, field);
            files.add(file);
            return file;
        }

        /** Null when no file was chosen. */
        Path optional(MultipartFile part, String field) throws IOException {
            return CompetitionForm.LaterPhase.chosen(part) ? required(part, field) : null;
        }

        @Override
        public void close() throws IOException {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
    }

    private String message(UserFacingException e) {
        return e.localized(messages);
    }

    private List<String> problems(ScoringRejected e) {
        return e.problems().stream()
                .map(p -> messages.getMessage(p.key(), p.arguments(), p.key(), LocaleContextHolder.getLocale()))
                .toList();
    }
}
