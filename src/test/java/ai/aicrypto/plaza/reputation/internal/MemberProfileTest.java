package ai.aicrypto.plaza.reputation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A member's public profile lists what they published, not what they keep private, with the reviews those received;
 * listings name their owner with a link to it.
 */
class MemberProfileTest extends IntegrationTest {

    @Autowired
    TestUsers users;

    @Test
    void aProfileListsThePublishedListingsAndBrowsingLinksOwnersToTheirProfiles() throws Exception {
        AccountPrincipal owner = users.member();
        long published = listing(owner, "Harbour tides", "PUBLISHED");
        listing(owner, "Unreleased soundings", "UNPUBLISHED");

        for (int stars : new int[] {5, 4}) {
            jdbc.sql("INSERT INTO listing_reviews (listing_id, reviewer_id, stars, body) VALUES (?, ?, ?, 'Useful')")
                    .params(published, users.member().id(), stars).update();
        }

        String profile = mvc.perform(get("/members/" + owner.getUsername()).locale(Locale.ENGLISH)).andReturn().getResponse()
                .getContentAsString();
        assertThat(profile).contains("Reviews of their listings: 2, 4.5 stars on average").contains("Harbour tides").contains("/datasets/" + published).doesNotContain("Unreleased soundings");
        String korean = mvc.perform(get("/members/" + users.member().getUsername()).locale(Locale.KOREAN)).andReturn()
                .getResponse().getContentAsString();
        assertThat(korean).contains("아직 게시한 항목이 없습니다.").contains("게시한 항목에 받은 리뷰가 아직 없습니다.")
                .as("no chart without scores").doesNotContain("chart-scores");

        String browse = mvc.perform(get("/datasets").locale(Locale.ENGLISH)).andReturn().getResponse().getContentAsString();
        assertThat(browse).contains("href=\"/members/" + owner.getUsername() + "\"");
    }

    private long listing(AccountPrincipal owner, String title, String status) {
        return jdbc.sql("""
                        INSERT INTO listings (kind, owner_id, title, license, price_aic, status)
                        VALUES ('DATASET', ?, ?, 'MIT', 5, ?) RETURNING id""")
                .params(owner.id(), title, status).query(Long.class).single();
    }
}
