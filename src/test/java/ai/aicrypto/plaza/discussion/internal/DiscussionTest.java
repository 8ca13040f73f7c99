package ai.aicrypto.plaza.discussion.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestCompetitions;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * A competition's discussion through its pages, on the real database: posting and replying, Markdown made inert,
 * the author's edits and deletions, the host's and admins' moderation, pinned announcements first, caps, the posting
 * rate limit, and threads that go with their competition. Each test has a competition and members of its own.
 */
@TestPropertySource(properties = {"plaza.rate.discussion.per-account=5/1h", "plaza.rate.discussion.per-address=100000/1h"})
class DiscussionTest extends IntegrationTest {

    @Autowired
    TestUsers users;

    AccountPrincipal host;
    AccountPrincipal member;
    AccountPrincipal other;
    AccountPrincipal admin;
    String slug;
    String base;

    @BeforeEach
    void competition() throws Exception {
        host = users.member();
        member = users.member();
        other = users.member();
        admin = users.admin();
        slug = TestCompetitions.host(mvc, host);
        base = "/competitions/" + slug + "/discussion";
    }

    @Test
    void membersStartThreadsAndReplyAndAnyoneReads() throws Exception {
        long thread = startThread(member, "Which features matter?", "I tried **gradient boosting**.");
        long opening = openingPost(thread);
        long reply = reply(thread, other, "Try the *ratio* of x and y.", opening);
        reply(thread, member, "Thanks!", reply);

        String page = page(base + "/" + thread, null);
        assertThat(page).contains("Which features matter?", "<strong>gradient boosting</strong>", "<em>ratio</em>",
                "in reply to " + member.getUsername(), "in reply to " + other.getUsername(), "id=\"post-" + reply + "\"");
        assertThat(page).doesNotContain("id=\"reply-form\""); // a visitor is asked to sign in instead
        assertThat(page(base + "/" + thread, other)).contains("id=\"reply-form\"", "hx-target=\"#reply-preview\"");
        // The reply link's page names the post answered, and the form carries it.
        assertThat(page(base + "/" + thread + "?replyTo=" + reply, host))
                .contains("in reply to " + other.getUsername(), "name=\"replyTo\" value=\"" + reply + "\"");

        String list = page(base, null);
        assertThat(list).contains("Which features matter?", "by " + member.getUsername());
        assertThat(list.replaceAll("\\s+", " ")).contains("<td class=\"num\">2</td>");
        // The competition page's section, as HTMX loads it.
        for (AccountPrincipal who : new AccountPrincipal[] {null, other}) {
            MockHttpServletRequestBuilder request = get(base).header("HX-Request", "true");
            if (who != null) {
                request.with(user(who));
            }
            assertThat(body(mvc.perform(request).andReturn().getResponse(), 200))
                    .contains("Which features matter?", "id=\"discussion-link\"").doesNotContain("<html", "thread-form");
        }
        assertThat(page("/competitions/" + slug, null)).contains("hx-get=\"" + base + "\"");
    }

    @Test
    void markdownIsRenderedInert() throws Exception {
        long thread = startThread(member, "<b>Title</b> <script>alert(1)</script>", """
                <script>alert('xss')</script>

                <img src=x onerror=alert(1)> [click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)

                ![pixel](https://tracker.example/p.png) [fine](https://example.org)""");
        String page = page(base + "/" + thread, null);
        String posts = page.substring(page.indexOf("id=\"posts\""), page.indexOf("id=\"reply\""));
        assertThat(posts).doesNotContain("<script", "<img", "javascript:", "data:text").doesNotContainPattern("<[^>]*onerror")
                .contains("&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "href=\"https://tracker.example/p.png\"",
                        "rel=\"nofollow ugc noopener\"", "href=\"https://example.org\"");
        assertThat(page).contains("&lt;b&gt;Title&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script>alert(1)");
        // The preview renders the same way.
        String preview = body(mvc.perform(post(base + "/preview").param("body", "**b** <script>x</script> [a](javascript:x)")
                .header("HX-Request", "true").with(user(member)).with(csrf())).andReturn().getResponse(), 200);
        assertThat(preview).contains("<strong>b</strong>", "&lt;script&gt;").doesNotContain("<script", "javascript:");
    }

    @Test
    void theAuthorEditsAndDeletesTheirOwnPostsAndNobodyElseDoes() throws Exception {
        long thread = startThread(member, "Baseline", "First version");
        long opening = openingPost(thread);
        long reply = reply(thread, member, "A typo", null);
        String edit = base + "/" + thread + "/posts/" + reply + "/edit";

        for (AccountPrincipal who : new AccountPrincipal[] {other, host, admin}) {
            assertThat(status(get(edit), who)).isEqualTo(403);
            assertThat(status(post(edit).param("body", "hijacked").with(csrf()), who)).isEqualTo(403);
        }
        assertThat(status(post(base + "/" + thread + "/posts/" + reply + "/delete").with(csrf()), other)).isEqualTo(403);
        assertThat(page(base + "/" + thread, member)).doesNotContain("hijacked");

        assertThat(page(edit, member)).contains("A typo");
        assertThat(status(post(edit).param("body", "Fixed").with(csrf()), member)).isEqualTo(302);
        assertThat(status(post(base + "/" + thread + "/posts/" + opening + "/edit").param("title", "Baseline v2")
                .param("body", "Second version").with(csrf()), member)).isEqualTo(302);
        String page = page(base + "/" + thread, null);
        assertThat(page).contains("Fixed", "Baseline v2", "Second version", "edited ").doesNotContain("A typo", "First version");

        assertThat(status(post(base + "/" + thread + "/posts/" + reply + "/delete").with(csrf()), member)).isEqualTo(302);
        page = page(base + "/" + thread, null);
        assertThat(page).contains("Deleted by its author.").doesNotContain("Fixed");
        assertThat(jdbc.sql("SELECT deleted_by = ? AND deleted_as = 'AUTHOR' AND body = '' FROM discussion_posts WHERE id = ?")
                .params(member.id(), reply).query(Boolean.class).single()).isTrue();
        // A deleted post is not edited back to life.
        assertThat(status(post(edit).param("body", "Back").with(csrf()), member)).isEqualTo(400);
    }

    @Test
    void theHostAndAdminsRemovePostsWithAReasonAndTheChainStaysReadable() throws Exception {
        long thread = startThread(member, "Leak?", "Is the test set leaking?");
        long spam = reply(thread, other, "Buy cheap tokens at example.com", null);
        long answer = reply(thread, member, "Please do not post ads.", spam);
        long rude = reply(thread, other, "rude words", null);
        String deleteSpam = base + "/" + thread + "/posts/" + spam + "/delete";

        MockHttpServletResponse noReason = mvc.perform(post(deleteSpam).with(user(host)).with(csrf())).andReturn().getResponse();
        assertThat(body(noReason, 400)).contains("Say why you remove this post");
        assertThat(status(post(deleteSpam).param("reason", "x".repeat(501)).with(csrf()), host)).isEqualTo(400);
        assertThat(status(post(deleteSpam).param("reason", "advertising").with(csrf()), host)).isEqualTo(302);
        assertThat(status(post(base + "/" + thread + "/posts/" + rude + "/delete").param("reason", "insults").with(csrf()), admin))
                .isEqualTo(302);

        String page = page(base + "/" + thread, null);
        assertThat(page).contains("Removed by a moderator: advertising", "Removed by a moderator: insults",
                "Please do not post ads.", "in reply to " + other.getUsername(), "href=\"#post-" + spam + "\"")
                .doesNotContain("Buy cheap tokens", "rude words");
        assertThat(jdbc.sql("SELECT deleted_by FROM discussion_posts WHERE id = ?").param(spam).query(Long.class).single())
                .isEqualTo(host.id());
        assertThat(jdbc.sql("SELECT deleted_by FROM discussion_posts WHERE id = ?").param(rude).query(Long.class).single())
                .isEqualTo(admin.id());
        assertThat(jdbc.sql("SELECT deleted_at IS NULL FROM discussion_posts WHERE id = ?").param(answer).query(Boolean.class).single())
                .isTrue();

        // Removing the thread (its opening post): it stays listed while replies are live, under a placeholder.
        long opening = openingPost(thread);
        assertThat(status(post(base + "/" + thread + "/posts/" + opening + "/delete").param("reason", "off topic")
                .with(csrf()), admin)).isEqualTo(302);
        assertThat(page(base, null)).contains("[Thread removed]").doesNotContain("Leak?");
        assertThat(status(post(base + "/" + thread + "/replies").param("body", "more").with(csrf()), member)).isEqualTo(400);
        // Without live replies it leaves the list.
        long lonely = startThread(member, "Lonely thread", "nobody answers");
        assertThat(status(post(base + "/" + lonely + "/posts/" + openingPost(lonely) + "/delete").with(csrf()), member))
                .isEqualTo(302);
        assertThat(page(base, null)).doesNotContain("Lonely thread", "thread-" + lonely + "\"");
    }

    @Test
    void onlyTheHostAndAdminsPinAndPinnedThreadsComeFirst() throws Exception {
        long older = startThread(member, "Older question", "a");
        long newer = startThread(other, "Newer question", "b");
        String list = page(base, null);
        assertThat(list.indexOf("Newer question")).isLessThan(list.indexOf("Older question"));

        long threads = count("discussion_threads");
        assertThat(status(post(base).param("title", "Fake announcement").param("body", "x").param("announcement", "true")
                .with(csrf()), member)).isEqualTo(403);
        assertThat(count("discussion_threads")).isEqualTo(threads);
        assertThat(status(post(base + "/" + older + "/pin").param("pinned", "true").with(csrf()), member)).isEqualTo(403);
        assertThat(status(post(base + "/" + older + "/pin").param("pinned", "true").with(csrf()), null)).isEqualTo(302);
        assertThat(jdbc.sql("SELECT pinned_at IS NULL FROM discussion_threads WHERE id = ?").param(older).query(Boolean.class).single())
                .isTrue();

        assertThat(status(post(base + "/" + older + "/pin").param("pinned", "true").with(csrf()), admin)).isEqualTo(302);
        long announcement = startThread(host, "Welcome: read the rules", "Rules", true);
        list = page(base, null);
        assertThat(list.indexOf("Welcome: read the rules")).isLessThan(list.indexOf("Older question"));
        assertThat(list.indexOf("Older question")).isLessThan(list.indexOf("Newer question"));
        assertThat(page(base + "/" + announcement, null)).contains("id=\"pinned\"");
        assertThat(page(base + "/" + announcement, member)).doesNotContain("id=\"pin-form\"");
        assertThat(page(base + "/" + announcement, host)).contains("id=\"pin-form\"");

        assertThat(status(post(base + "/" + older + "/pin").param("pinned", "false").with(csrf()), host)).isEqualTo(302);
        list = page(base, null);
        assertThat(list.indexOf("Newer question")).isLessThan(list.indexOf("Older question"));
        assertThat(newer).isPositive();
    }

    @Test
    void idsOfAnotherCompetitionOrThreadAreNotFound() throws Exception {
        long thread = startThread(member, "Mine", "text");
        long opening = openingPost(thread);
        String otherSlug = TestCompetitions.host(mvc, other);
        String elsewhere = "/competitions/" + otherSlug + "/discussion/" + thread;
        for (AccountPrincipal who : new AccountPrincipal[] {null, member, other, admin}) {
            assertThat(status(get(elsewhere), who)).isEqualTo(404);
        }
        // The other competition's host moderates there, not here.
        assertThat(status(post(elsewhere + "/replies").param("body", "x").with(csrf()), member)).isEqualTo(404);
        assertThat(status(get(elsewhere + "/posts/" + opening + "/edit"), member)).isEqualTo(404);
        assertThat(status(post(elsewhere + "/posts/" + opening + "/edit").param("title", "t").param("body", "x").with(csrf()), member))
                .isEqualTo(404);
        assertThat(status(post(elsewhere + "/posts/" + opening + "/delete").param("reason", "r").with(csrf()), other)).isEqualTo(404);
        assertThat(status(post(elsewhere + "/pin").param("pinned", "true").with(csrf()), other)).isEqualTo(404);
        // A post of another thread of the same competition, and a reply to it.
        long second = startThread(member, "Second", "text");
        assertThat(status(get(base + "/" + second + "/posts/" + opening + "/edit"), member)).isEqualTo(404);
        assertThat(status(post(base + "/" + second + "/posts/" + opening + "/delete").with(csrf()), member)).isEqualTo(404);
        assertThat(body(mvc.perform(post(base + "/" + second + "/replies").param("body", "x").param("replyTo", String.valueOf(opening))
                .with(user(member)).with(csrf())).andReturn().getResponse(), 400)).contains("not in this thread");
        // Made-up and out-of-range ids.
        assertThat(status(get(base + "/999999999999"), null)).isEqualTo(404);
        assertThat(status(get(base + "/99999999999999999999999"), null)).isEqualTo(404);
        assertThat(status(get("/competitions/no-such-cup/discussion"), null)).isEqualTo(404);
        assertThat(jdbc.sql("SELECT count(*) FROM discussion_posts WHERE thread_id = ?").param(thread).query(Long.class).single())
                .isEqualTo(1);
        assertThat(jdbc.sql("SELECT deleted_at IS NULL AND body = 'text' FROM discussion_posts WHERE id = ?").param(opening)
                .query(Boolean.class).single()).isTrue();
    }

    @Test
    void badInputIsRefusedWithAMessageAndNothingStored() throws Exception {
        long threads = count("discussion_threads");
        long posts = count("discussion_posts");
        assertThat(refusal(post(base).param("title", "t".repeat(141)).param("body", "x")))
                .contains("A title has at most 140 characters.").contains("t".repeat(141)); // what was typed is kept
        assertThat(refusal(post(base).param("title", "ok").param("body", "b".repeat(20_001))))
                .contains("A post has at most 20,000 characters; this one has 20,001.", "b".repeat(20_001));
        assertThat(refusal(post(base).param("title", "   ").param("body", "x"))).contains("Give the thread a title.");
        assertThat(refusal(post(base).param("title", "ok").param("body", "  \n "))).contains("Write something to post.");
        assertThat(refusal(post(base).param("title", "ok").param("body", "a\u0000b"))).contains("control characters");
        assertThat(refusal(post(base).param("title", "ok").param("body", "").locale(Locale.KOREAN)))
                .contains("게시할 내용을 입력하세요.");
        // 140 characters that are each two UTF-16 units are still 140 characters.
        assertThat(status(post(base).param("title", "😀".repeat(140)).param("body", "x").with(csrf()), member)).isEqualTo(302);
        assertThat(count("discussion_threads")).isEqualTo(threads + 1);
        assertThat(count("discussion_posts")).isEqualTo(posts + 1);
        // Signed out, or without the CSRF token: nothing is stored.
        assertThat(status(post(base).param("title", "anon").param("body", "x").with(csrf()), null)).isEqualTo(302);
        assertThat(status(post(base).param("title", "forged").param("body", "x"), member)).isEqualTo(403);
        assertThat(count("discussion_threads")).isEqualTo(threads + 1);
    }

    @Test
    void postingIsRateLimitedPerMember() throws Exception {
        long thread = startThread(member, "Busy", "x"); // 1 of 5
        for (int i = 0; i < 4; i++) {
            reply(thread, member, "reply " + i, null);
        }
        // A script gets the message as JSON; a browser gets it on the error page.
        MockHttpServletResponse refused = mvc.perform(post(base + "/" + thread + "/replies").param("body", "one too many")
                .with(user(member)).with(csrf())).andReturn().getResponse();
        assertThat(body(refused, 429)).contains("Too many posts.");
        assertThat(refused.getHeader("Retry-After")).isNotBlank();
        assertThat(page(base + "/" + thread, null)).doesNotContain("one too many");
        reply(thread, other, "another member is not held back", null);
        // Edits and moderation are not posting.
        long opening = openingPost(thread);
        assertThat(status(post(base + "/" + thread + "/posts/" + opening + "/edit").param("title", "Busy").param("body", "y")
                .with(csrf()), member)).isEqualTo(302);
    }

    @Test
    void threadsGoWithTheirCompetition() throws Exception {
        long thread = startThread(member, "Soon gone", "text");
        reply(thread, other, "reply", null);
        jdbc.sql("DELETE FROM competitions WHERE slug = ?").param(slug).update();
        assertThat(status(get(base), null)).isEqualTo(404);
        assertThat(status(get(base + "/" + thread), member)).isEqualTo(404);
        assertThat(status(post(base + "/" + thread + "/replies").param("body", "x").with(csrf()), member)).isEqualTo(404);
        assertThat(jdbc.sql("SELECT count(*) FROM discussion_posts p JOIN discussion_threads t ON t.id = p.thread_id WHERE t.id = ?")
                .param(thread).query(Long.class).single()).isZero();
    }

    private long startThread(AccountPrincipal author, String title, String body) throws Exception {
        return startThread(author, title, body, false);
    }

    private long startThread(AccountPrincipal author, String title, String body, boolean announcement) throws Exception {
        MockHttpServletResponse response = mvc.perform(post(base).param("title", title).param("body", body)
                .param("announcement", String.valueOf(announcement)).with(user(author)).with(csrf())).andReturn().getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString(StandardCharsets.UTF_8)).isEqualTo(302);
        return Long.parseLong(response.getRedirectedUrl().substring((base + "/").length()));
    }

    private long reply(long thread, AccountPrincipal author, String body, Long replyTo) throws Exception {
        var request = post(base + "/" + thread + "/replies").param("body", body).with(user(author)).with(csrf());
        if (replyTo != null) {
            request.param("replyTo", String.valueOf(replyTo));
        }
        MockHttpServletResponse response = mvc.perform(request).andReturn().getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString(StandardCharsets.UTF_8)).isEqualTo(302);
        String url = response.getRedirectedUrl();
        return Long.parseLong(url.substring(url.indexOf("#post-") + "#post-".length()));
    }

    private long openingPost(long thread) {
        return jdbc.sql("SELECT id FROM discussion_posts WHERE thread_id = ? AND opening").param(thread).query(Long.class).single();
    }

    private String page(String path, AccountPrincipal as) throws Exception {
        MockHttpServletRequestBuilder request = get(path);
        if (as != null) {
            request.with(user(as));
        }
        return body(mvc.perform(request).andReturn().getResponse(), 200);
    }

    /**
     * The page of a refused form (400), posted with the CSRF token by a new member: a refused post still counts
     * against its author's posting limit.
     */
    private String refusal(MockHttpServletRequestBuilder request) throws Exception {
        return body(mvc.perform(request.with(user(users.member())).with(csrf())).andReturn().getResponse(), 400);
    }

    private static String body(MockHttpServletResponse response, int expectedStatus) throws Exception {
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(body).isEqualTo(expectedStatus);
        return body;
    }

    private int status(MockHttpServletRequestBuilder request, AccountPrincipal as) throws Exception {
        if (as != null) {
            request.with(user(as));
        }
        return mvc.perform(request).andReturn().getResponse().getStatus();
    }
}
