package ai.aicrypto.plaza.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.authenticated;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.unauthenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import ai.aicrypto.plaza.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import jakarta.servlet.http.Cookie;

class AccountFlowTest extends IntegrationTest {

    @Test
    void registerSignInAndOut() throws Exception {
        String name = "dana" + System.nanoTime() % 100000;
        mvc.perform(post("/register").param("username", name).param("email", name + "@example.org")
                        .param("displayName", "Dana").param("password", "correct horse battery").with(csrf()))
                .andExpect(redirectedUrl("/login?registered"));

        String hash = jdbc.sql("SELECT password_hash FROM users WHERE username = ?").param(name).query(String.class).single();
        assertThat(hash).startsWith("{argon2}$argon2id$").doesNotContain("correct horse");

        mvc.perform(formLogin("/login").user(name).password("wrong password!")).andExpect(unauthenticated());
        // Sessions live in PostgreSQL (Spring Session JDBC) and are found by their cookie.
        Cookie session = mvc.perform(formLogin("/login").user(name).password("correct horse battery"))
                .andExpect(authenticated().withRoles("MEMBER")).andReturn().getResponse().getCookie("SESSION");
        assertThat(count("spring_session")).isPositive();

        String profile = mvc.perform(get("/profile").cookie(session)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(profile).contains(name + "@example.org");

        mvc.perform(post("/logout").cookie(session).with(csrf())).andExpect(redirectedUrl("/?signedOut"));
        mvc.perform(get("/profile").cookie(session)).andExpect(status().is3xxRedirection());
    }

    @Test
    void signInChangesTheSessionId() throws Exception {
        String name = "erin" + System.nanoTime() % 100000;
        mvc.perform(post("/register").param("username", name).param("email", name + "@example.org")
                .param("displayName", "Erin").param("password", "correct horse battery").with(csrf()));
        Cookie anonymous = mvc.perform(get("/login")).andReturn().getResponse().getCookie("SESSION");
        assertThat(anonymous).isNotNull();
        Cookie signedIn = mvc.perform(post("/login").param("username", name).param("password", "correct horse battery")
                        .with(csrf()).cookie(anonymous))
                .andExpect(authenticated()).andReturn().getResponse().getCookie("SESSION");
        assertThat(signedIn).isNotNull();
        assertThat(signedIn.getValue()).isNotEqualTo(anonymous.getValue());
    }

    @Test
    void invalidAndDuplicateRegistrationsAreExplained() throws Exception {
        String name = "finn" + System.nanoTime() % 100000;
        mvc.perform(post("/register").param("username", name).param("email", name + "@example.org")
                .param("displayName", "Finn").param("password", "correct horse battery").with(csrf()));

        String duplicate = mvc.perform(post("/register").param("username", name.toUpperCase())
                        .param("email", "other-" + name + "@example.org").param("displayName", "F")
                        .param("password", "correct horse battery").with(csrf()))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(duplicate).contains("This username is taken.");

        String invalid = mvc.perform(post("/register").header("Accept-Language", "ko").param("username", "a b")
                        .param("email", "not-an-email").param("displayName", "").param("password", "short").with(csrf()))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(invalid).contains("올바른 이메일 주소가 아닙니다.").contains("10자 이상 128자 이하여야 합니다.")
                .contains("필수 입력 항목입니다.");
        assertThat(count("users")).isPositive();
    }
}
