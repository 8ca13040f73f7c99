package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.charset.StandardCharsets;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What the competition tests on the app's own clock share (data competitions, the training pool, a participant's whole
 * path with a real worker): joining a competition, submitting data, and reading a submission's state.
 */
abstract class DataCompetitionTestSupport extends IntegrationTest {

    @Autowired
    TestUsers users;
    @Autowired
    CompetitionService competitions;
    @Autowired
    TeamService teams;
    @Autowired
    SubmissionService submissions;
    @Autowired
    DataCompetitions data;

    /** A new member, in a team of their own in {@code c}. */
    AccountPrincipal joined(Competition c) {
        AccountPrincipal member = users.member();
        teams.join(c, member, true, competitions.now());
        return member;
    }

    /** Submitting the dataset is refused with {@code key} (and arguments starting with {@code args}). */
    void assertRefused(Competition c, AccountPrincipal who, long datasetId, String key, Object... args) {
        assertThatThrownBy(() -> submissions.submitData(c, who, datasetId, "")).isInstanceOfSatisfying(UserFacingException.class, e -> {
            assertThat(e.messageKey()).isEqualTo(key);
            if (args.length > 0) {
                assertThat(e.args()).startsWith(args);
            }
        });
    }

    boolean ended(long submissionId) {
        return List.of("SCORED", "FAILED").contains(statusOf(submissionId));
    }

    String statusOf(long submissionId) {
        return jdbc.sql("SELECT status FROM submissions WHERE id = ?").param(submissionId).query(String.class).single();
    }

    String failure(long submissionId) {
        return jdbc.sql("SELECT coalesce(failure, '') FROM submissions WHERE id = ?").param(submissionId).query(String.class).single();
    }

    double score(long submissionId) {
        return jdbc.sql("SELECT public_score FROM submissions WHERE id = ?").param(submissionId).query(Double.class).single();
    }

    /** A page as {@code who} sees it (null: a visitor). */
    String body(String path, AccountPrincipal who) throws Exception {
        var request = get(path);
        if (who != null) {
            request.with(user(who));
        }
        return mvc.perform(request).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
    }
}
