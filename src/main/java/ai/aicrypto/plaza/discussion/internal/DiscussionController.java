package ai.aicrypto.plaza.discussion.internal;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.Competitions;
import ai.aicrypto.plaza.competition.Competitions.CompetitionRef;
import ai.aicrypto.plaza.discussion.internal.DiscussionService.Post;
import ai.aicrypto.plaza.discussion.internal.DiscussionService.ThreadView;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.MessageSource;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A competition's discussion: the thread list (also the section of the competition page, loaded by HTMX), a thread
 * with its replies, and the forms to post, reply, edit, delete and pin. Reading follows the competition's visibility
 * ({@link Competitions#publicCompetition}); a refused form is shown again with what was typed and the reason (400).
 * Ids are digits of at most 18 (a long): anything else is no route (404).
 */
@Controller
@RequestMapping("/competitions/{slug}/discussion")
class DiscussionController {

    /** Threads on the list page; the competition page's section shows the first few. */
    private static final int LIST_LIMIT = 200;
    private static final int SECTION_LIMIT = 6;

    private final Competitions competitions;
    private final DiscussionService discussions;
    private final MessageSource messages;

    DiscussionController(Competitions competitions, DiscussionService discussions, MessageSource messages) {
        this.competitions = competitions;
        this.discussions = discussions;
        this.messages = messages;
    }

    @GetMapping
    String list(@PathVariable String slug, @RequestHeader(name = "HX-Request", required = false) String htmx,
                @AuthenticationPrincipal AccountPrincipal me, Model model) {
        CompetitionRef competition = competition(slug);
        if (htmx != null) {
            List<DiscussionService.ThreadSummary> threads = discussions.threads(competition, SECTION_LIMIT + 1);
            model.addAttribute("competition", competition);
            model.addAttribute("threads", threads.subList(0, Math.min(SECTION_LIMIT, threads.size())));
            model.addAttribute("more", threads.size() > SECTION_LIMIT);
            return "discussion/list :: recent-threads";
        }
        return listPage(competition, me, "", "", model);
    }

    @PostMapping
    String start(@PathVariable String slug, @RequestParam(defaultValue = "") String title,
                 @RequestParam(defaultValue = "") String body, @RequestParam(defaultValue = "false") boolean announcement,
                 @AuthenticationPrincipal AccountPrincipal me, Model model, HttpServletResponse response,
                 RedirectAttributes redirect) {
        CompetitionRef competition = competition(slug);
        try {
            long thread = discussions.startThread(competition, me, title, body, announcement);
            redirect.addFlashAttribute("notice", "discussion.posted");
            return "redirect:" + threadPath(competition, thread);
        } catch (UserFacingException e) {
            refuse(e, model, response);
            return listPage(competition, me, title, body, model);
        }
    }

    /** The Markdown as it would be posted (HTMX), or the reason it would be refused. */
    @PostMapping("/preview")
    String preview(@PathVariable String slug, @RequestParam(defaultValue = "") String body, Model model,
                   HttpServletResponse response) {
        competition(slug);
        try {
            model.addAttribute("html", discussions.preview(body));
        } catch (UserFacingException e) {
            refuse(e, model, response);
        }
        return "discussion/thread :: preview";
    }

    @GetMapping("/{threadId:\\d{1,18}}")
    String thread(@PathVariable String slug, @PathVariable long threadId, @RequestParam(required = false) Long replyTo,
                  @AuthenticationPrincipal AccountPrincipal me, Model model) {
        CompetitionRef competition = competition(slug);
        return threadPage(competition, discussions.thread(competition, threadId), me, "", replyTo, model);
    }

    @PostMapping("/{threadId:\\d{1,18}}/replies")
    String reply(@PathVariable String slug, @PathVariable long threadId, @RequestParam(defaultValue = "") String body,
                 @RequestParam(required = false) Long replyTo, @AuthenticationPrincipal AccountPrincipal me, Model model,
                 HttpServletResponse response, RedirectAttributes redirect) {
        CompetitionRef competition = competition(slug);
        try {
            long post = discussions.reply(competition, threadId, me, body, replyTo);
            redirect.addFlashAttribute("notice", "discussion.replied");
            return "redirect:" + threadPath(competition, threadId) + "#post-" + post;
        } catch (UserFacingException e) {
            refuse(e, model, response);
            return threadPage(competition, discussions.thread(competition, threadId), me, body, replyTo, model);
        }
    }

    @GetMapping("/{threadId:\\d{1,18}}/posts/{postId:\\d{1,18}}/edit")
    String editForm(@PathVariable String slug, @PathVariable long threadId, @PathVariable long postId,
                    @AuthenticationPrincipal AccountPrincipal me, Model model) {
        CompetitionRef competition = competition(slug);
        Post post = discussions.editable(competition, threadId, postId, me);
        ThreadView thread = discussions.thread(competition, threadId);
        return editPage(competition, thread, post, thread.title(), post.body(), model);
    }

    @PostMapping("/{threadId:\\d{1,18}}/posts/{postId:\\d{1,18}}/edit")
    String edit(@PathVariable String slug, @PathVariable long threadId, @PathVariable long postId,
                @RequestParam(defaultValue = "") String title, @RequestParam(defaultValue = "") String body,
                @AuthenticationPrincipal AccountPrincipal me, Model model, HttpServletResponse response,
                RedirectAttributes redirect) {
        CompetitionRef competition = competition(slug);
        try {
            discussions.edit(competition, threadId, postId, me, title, body);
            redirect.addFlashAttribute("notice", "discussion.edited");
            return "redirect:" + threadPath(competition, threadId) + "#post-" + postId;
        } catch (UserFacingException e) {
            Post post = discussions.editable(competition, threadId, postId, me);
            refuse(e, model, response);
            return editPage(competition, discussions.thread(competition, threadId), post, title, body, model);
        }
    }

    @PostMapping("/{threadId:\\d{1,18}}/posts/{postId:\\d{1,18}}/delete")
    String delete(@PathVariable String slug, @PathVariable long threadId, @PathVariable long postId,
                  @RequestParam(defaultValue = "") String reason, @AuthenticationPrincipal AccountPrincipal me,
                  RedirectAttributes redirect) {
        CompetitionRef competition = competition(slug);
        discussions.delete(competition, threadId, postId, me, reason);
        redirect.addFlashAttribute("notice", "discussion.deleted");
        return "redirect:" + threadPath(competition, threadId) + "#post-" + postId;
    }

    @PostMapping("/{threadId:\\d{1,18}}/pin")
    String pin(@PathVariable String slug, @PathVariable long threadId, @RequestParam boolean pinned,
               @AuthenticationPrincipal AccountPrincipal me, RedirectAttributes redirect) {
        CompetitionRef competition = competition(slug);
        discussions.pin(competition, threadId, me, pinned);
        redirect.addFlashAttribute("notice", pinned ? "discussion.pinned" : "discussion.unpinned");
        return "redirect:" + threadPath(competition, threadId);
    }

    private CompetitionRef competition(String slug) {
        return competitions.publicCompetition(slug).orElseThrow(NotFoundException::new);
    }

    private String listPage(CompetitionRef competition, AccountPrincipal me, String title, String body, Model model) {
        model.addAttribute("competition", competition);
        model.addAttribute("threads", discussions.threads(competition, LIST_LIMIT));
        model.addAttribute("moderator", DiscussionService.moderates(competition, me));
        model.addAttribute("draftTitle", title);
        model.addAttribute("draftBody", body);
        model.addAttribute("limits", limits());
        return "discussion/list";
    }

    private String threadPage(CompetitionRef competition, ThreadView thread, AccountPrincipal me, String body, Long replyTo,
                              Model model) {
        model.addAttribute("competition", competition);
        model.addAttribute("thread", thread);
        // Who each post answers: "in reply to" links name the author of the post replied to.
        model.addAttribute("postsById", thread.posts().stream().collect(Collectors.toMap(Post::id, Function.identity())));
        model.addAttribute("moderator", DiscussionService.moderates(competition, me));
        model.addAttribute("meId", me == null ? null : me.id());
        model.addAttribute("draftBody", body);
        model.addAttribute("replyTo", replyTo);
        model.addAttribute("limits", limits());
        return "discussion/thread";
    }

    private String editPage(CompetitionRef competition, ThreadView thread, Post post, String title, String body, Model model) {
        model.addAttribute("competition", competition);
        model.addAttribute("thread", thread);
        model.addAttribute("post", post);
        model.addAttribute("draftTitle", title);
        model.addAttribute("draftBody", body);
        model.addAttribute("limits", limits());
        return "discussion/edit";
    }

    private static Map<String, Integer> limits() {
        return Map.of("title", DiscussionService.MAX_TITLE, "body", DiscussionService.MAX_BODY,
                "reason", DiscussionService.MAX_REASON);
    }

    private void refuse(UserFacingException e, Model model, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("error", e.localized(messages));
    }

    private static String threadPath(CompetitionRef competition, long threadId) {
        return "/competitions/" + competition.slug() + "/discussion/" + threadId;
    }
}
