package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.util.unit.DataSize;

/** What every rendered page shows (PageAttribute) reaches pages, and nothing else: not a redirect's URL. */
class PageAttributesTest extends IntegrationTest {

    @Autowired
    TestUsers users;

    @Test
    void theLanguageLinkKeepsThePageAndItsFilters() throws Exception {
        String english = mvc.perform(get("/datasets?tag=vision")).andReturn().getResponse().getContentAsString();
        assertThat(english).contains("href=\"/datasets?tag=vision&amp;lang=ko\"");

        String korean = mvc.perform(get("/datasets").param("lang", "ko")).andReturn().getResponse().getContentAsString();
        assertThat(korean).contains("href=\"/datasets?lang=en\"").contains(">English</a>");
    }

    @Test
    void anErrorPageHasTheLanguageLinkToo() throws Exception {
        var response = mvc.perform(get("/datasets?tag=vision&after=not-a-cursor")).andReturn().getResponse();
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentAsString()).contains("href=\"/datasets?tag=vision&amp;lang=ko\"");
    }

    @Value("${spring.servlet.multipart.max-request-size}")
    DataSize uploadLimit;

    @Test
    void uploadFormsStateTheLimit() throws Exception {
        String form = mvc.perform(get("/datasets/new").with(user(users.member()))).andReturn().getResponse().getContentAsString();
        assertThat(form).contains(DataSizes.humanReadable(uploadLimit.toBytes()));
    }

    @Test
    void aRedirectCarriesNoPageAttributes() throws Exception {
        AccountPrincipal member = users.member();
        String location = mvc.perform(post("/profile").param("displayName", "Kim").with(user(member)).with(csrf()))
                .andReturn().getResponse().getRedirectedUrl();
        assertThat(location).isEqualTo("/profile");
    }
}
