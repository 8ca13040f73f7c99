package ai.aicrypto.plaza.support;

import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import ai.aicrypto.plaza.account.AccountPrincipal;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

/** A small running competition hosted through the hosting form, for tests of what hangs off a competition. */
public final class TestCompetitions {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private TestCompetitions() {
    }

    /** A unique slug for {@link #form}. */
    public static String slug(String prefix) {
        return prefix + "-" + System.nanoTime() % 1_000_000 + "-" + SEQUENCE.incrementAndGet();
    }

    /** The hosting form of an RMSE competition on three rows, running from 2020 to 2099 (no CSRF token yet). */
    public static MockMultipartHttpServletRequestBuilder form(String slug) {
        return form(slug, "RMSE", "id,y\na,1\nb,2\nc,3\n", "id,x\na,1\nb,2\nc,3\n");
    }

    /** The same form with this metric, solution and test inputs (CSV text), running from 2020 to 2099. */
    public static MockMultipartHttpServletRequestBuilder form(String slug, String metric, String solution, String testInputs) {
        var form = multipart("/competitions/new")
                .file(new MockMultipartFile("solution", "s.csv", "text/csv", solution.getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("testInputs", "t.csv", "text/csv", testInputs.getBytes(StandardCharsets.UTF_8)));
        form.param("title", "Cup " + slug).param("slug", slug).param("metric", metric).param("publicPercent", "30")
                .param("startsAt", "2020-01-01T00:00").param("endsAt", "2099-01-01T00:00")
                .param("submissionsPerDay", "5").param("finalSelections", "2").param("maxTeamSize", "2")
                .param("prizePoolAic", "0").param("prizeSplit", "");
        return form;
    }

    /** Hosts {@link #form} as {@code host}; returns the slug. */
    public static String host(MockMvc mvc, AccountPrincipal host) throws Exception {
        String slug = slug("cup");
        int status = mvc.perform(form(slug).with(csrf().asHeader()).with(user(host))).andReturn().getResponse().getStatus();
        if (status != 302) {
            throw new IllegalStateException("hosting answered " + status);
        }
        return slug;
    }
}
