package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import jakarta.servlet.http.HttpSession;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

/** The submission API with personal tokens, issued on the profile page and stored only as hashes. */
class SubmissionApiTest extends CompetitionTestSupport {

    @Autowired
    ApiTokens tokens;

    @Test
    void aTokenIssuedOnTheProfilePageIsShownOnceAndStoredAsItsHashOnly() throws Exception {
        AccountPrincipal member = users.member();
        var result = mvc.perform(post("/profile/tokens").param("name", "laptop").with(user(member)).with(csrf()))
                .andExpect(status().isOk()).andReturn();
        Matcher shown = Pattern.compile("<code>(plaza_[^<]+)</code>").matcher(result.getResponse().getContentAsString());
        assertThat(shown.find()).isTrue();
        String token = shown.group(1);
        // Rendered in the response itself: not flashed to the next request, nothing of it in the session.
        assertThat(result.getFlashMap().isEmpty()).isTrue();
        HttpSession session = result.getRequest().getSession(false);
        if (session != null) {
            assertThat(Collections.list(session.getAttributeNames()).stream().map(session::getAttribute))
                    .noneMatch(value -> String.valueOf(value).contains(token));
        }
        assertThat(jdbc.sql("SELECT count(*) FROM api_tokens WHERE token_sha256 = ? OR token_sha256 LIKE ?")
                .params(token, "%" + token.substring(6, 20) + "%").query(Long.class).single()).isZero();
        assertThat(tokens.authenticate(token)).hasValueSatisfying(t -> assertThat(t.principal().id()).isEqualTo(member.id()));
        String profile = mvc.perform(get("/profile").with(user(member))).andReturn().getResponse().getContentAsString();
        assertThat(profile).contains("laptop").doesNotContain(token);
    }

    @Test
    void scriptsSubmitWithABearerTokenAndGetExactErrors() throws Exception {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal member = joined(c);
        String token = tokens.issue(member.id(), "ci").token();

        String accepted = mvc.perform(api(c, predictions(10, 1.0)).header("Authorization", "Bearer " + token))
                .andExpect(status().isAccepted()).andReturn().getResponse().getContentAsString();
        assertThat(accepted).containsPattern("\"status\":\"(QUEUED|SCORING|SCORED)\"").doesNotContain("private");
        long id = Long.parseLong(accepted.replaceAll(".*\"id\":(\\d+).*", "$1"));
        awaitScored(id);
        String polled = mvc.perform(get("/api/v1/competitions/" + c.slug() + "/submissions/" + id)
                        .header("Authorization", "Bearer " + token))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(polled).contains("\"status\":\"SCORED\"").contains("\"publicScore\":1.0");

        String rejected = mvc.perform(api(c, "id,prediction\nt0,1\nnope,2\n").header("Authorization", "Bearer " + token)
                        .locale(Locale.ENGLISH))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
        assertThat(rejected).contains("Line 3: the id \\\"nope\\\" is not in the test set.");
        assertThat(submissions.mine(c, member)).hasSize(1);
    }

    @Test
    void noValidTokenNoAccess() throws Exception {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal member = joined(c);
        ApiTokens.IssuedToken issued = tokens.issue(member.id(), "old");
        mvc.perform(api(c, predictions(10, 1.0))).andExpect(status().isUnauthorized());
        mvc.perform(api(c, predictions(10, 1.0)).header("Authorization", "Bearer plaza_not-a-token"))
                .andExpect(status().isUnauthorized());
        tokens.revoke(member.id(), issued.id());
        mvc.perform(api(c, predictions(10, 1.0)).header("Authorization", "Bearer " + issued.token()))
                .andExpect(status().isUnauthorized());
        assertThat(submissions.mine(c, member)).isEmpty();
    }

    @Test
    void anotherTeamsSubmissionIsNotFound() throws Exception {
        Competition c = host(users.member(), 10, 5);
        AccountPrincipal owner = joined(c);
        AccountPrincipal other = joined(c);
        long id = submit(c, owner, predictions(10, 1.0)).id();
        String token = tokens.issue(other.id(), "x").token();
        mvc.perform(get("/api/v1/competitions/" + c.slug() + "/submissions/" + id).header("Authorization", "Bearer " + token))
                .andExpect(status().isNotFound());
    }

    private MockMultipartHttpServletRequestBuilder api(Competition c, String csv) {
        return multipart("/api/v1/competitions/" + c.slug() + "/submissions")
                .file(new MockMultipartFile("file", "p.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8)));
    }
}
