package ai.aicrypto.plaza.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import javax.sql.DataSource;

import ai.aicrypto.plaza.dataset.internal.TestImports;
import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.compute.GpuOffers;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.MessageSource;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.servlet.LocaleResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * Review L4: the rate limits of {@link RateLimits}, lowered so that a few requests reach them, through the real
 * security chains and Bucket4j's buckets in the real PostgreSQL. Each test calls from addresses of its own.
 */
@TestPropertySource(properties = {
        "plaza.rate.sign-in.per-address=3/1h", "plaza.rate.sign-in.per-account=2/1h",
        "plaza.rate.register.per-address=1/1h",
        "plaza.rate.siwe.per-address=2/1h",
        "plaza.rate.upload.per-address=100/1h", "plaza.rate.upload.per-account=1/1h",
        "plaza.rate.member-api.per-address=100/1h", "plaza.rate.member-api.per-account=2/1h",
        "plaza.rate.worker-api.per-address=3/1h", "plaza.rate.worker-api.per-account=2/1h",
        "plaza.rate.commission-model.per-address=100/1h", "plaza.rate.commission-model.per-account=2/1h"})
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RateLimitTest extends IntegrationTest {

    @LocalServerPort
    int port;
    @Autowired
    TestUsers users;
    @Autowired
    TestImports imports;
    @Autowired
    ApiTokens apiTokens;
    @Autowired
    GpuOffers offers;
    @Autowired
    DataSource dataSource;
    @Autowired
    RateLimitProperties limits;
    @Autowired
    MessageSource messages;
    @Autowired
    LocaleResolver locales;
    @Autowired
    JsonMapper json;

    @Test
    void signInIsLimitedPerAddressBeforeThePasswordIsChecked() throws Exception {
        AccountPrincipal member = users.member();
        for (int attempt = 0; attempt < 3; attempt++) {
            var wrong = mvc.perform(post("/login").param("username", "nobody" + attempt).param("password", "wrong")
                    .with(csrf()).with(from("198.51.100.1"))).andReturn().getResponse();
            assertThat(wrong.getRedirectedUrl()).isEqualTo("/login?error");
        }
        // the right password, over the limit: refused, not signed in
        var refused = mvc.perform(post("/login").param("username", member.getUsername()).param("password", "a-long-password")
                .with(csrf()).with(from("198.51.100.1")).accept(MediaType.TEXT_HTML)).andReturn().getResponse();
        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(1L, 1200L);
        assertThat(refused.getRedirectedUrl()).isNull();
        // another address still signs in
        var other = mvc.perform(post("/login").param("username", member.getUsername()).param("password", "a-long-password")
                .with(csrf()).with(from("198.51.100.2"))).andReturn().getResponse();
        assertThat(other.getRedirectedUrl()).isEqualTo("/");
    }

    @Test
    void oneAccountIsLimitedFromEveryAddress() throws Exception {
        for (String address : new String[] {"198.51.100.11", "198.51.100.12"}) {
            assertThat(mvc.perform(post("/login").param("username", "Target").param("password", "guess")
                    .with(csrf()).with(from(address))).andReturn().getResponse().getRedirectedUrl()).isEqualTo("/login?error");
        }
        var refused = mvc.perform(post("/login").param("username", " target ").param("password", "guess")
                .with(csrf()).with(from("198.51.100.13"))).andReturn().getResponse();
        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(json.readValue(refused.getContentAsString(), Map.class).get("error"))
                .isEqualTo("Too many sign-in attempts. Try again in " + refused.getHeader("Retry-After") + " seconds.");
    }

    @Test
    void aBrowserGetsThePageInItsLanguageAndAScriptJson() throws Exception {
        mvc.perform(post("/register").param("username", "x").with(csrf()).with(from("198.51.100.21")));
        var page = mvc.perform(post("/register").param("username", "y").with(csrf()).with(from("198.51.100.21"))
                .accept(MediaType.TEXT_HTML).header("Accept-Language", "ko")).andReturn();
        assertThat(page.getResponse().getStatus()).isEqualTo(429);
        // MockMvc does not run the container's error dispatch: the page's message is what the error page shows
        assertThat(page.getRequest().getAttribute(RateLimits.USER_MESSAGE)).isEqualTo(
                "이 주소에서 만든 계정이 너무 많습니다. " + page.getResponse().getHeader("Retry-After") + "초 후에 다시 시도하세요.");

        for (int i = 0; i < 2; i++) {
            assertThat(mvc.perform(get("/siwe/nonce").with(from("198.51.100.22"))).andReturn().getResponse().getStatus())
                    .isEqualTo(200);
        }
        var script = mvc.perform(post("/siwe/verify").contentType(MediaType.APPLICATION_JSON).content("{}")
                .with(csrf()).with(from("198.51.100.22"))).andReturn().getResponse();
        assertThat(script.getStatus()).isEqualTo(429);
        assertThat(script.getContentType()).startsWith(MediaType.APPLICATION_JSON_VALUE);
        assertThat(json.readValue(script.getContentAsString(), Map.class).get("error").toString())
                .startsWith("Too many wallet sign-in attempts. Try again in ");
    }

    /** Over a real connection, so that the container's error dispatch renders the page (the only test from 127.0.0.1). */
    @Test
    void theErrorPageSaysWhyAndWhen() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest nonce = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/siwe/nonce"))
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") // a browser
                .header("Accept-Language", "ko").build();
        for (int i = 0; i < 2; i++) {
            assertThat(http.send(nonce, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> page = http.send(nonce, HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(429);
        String retryAfter = page.headers().firstValue("Retry-After").orElseThrow();
        assertThat(page.body()).contains("<h1>요청이 너무 많습니다</h1>")
                .contains("지갑 로그인 시도가 너무 많습니다. " + retryAfter + "초 후에 다시 시도하세요.");
    }

    @Test
    void anUploadOverTheLimitIsRefusedUnreadAndStoresNothing() throws Exception {
        AccountPrincipal member = users.member();
        var first = mvc.perform(csvUpload(member, "198.51.100.31")).andReturn().getResponse();
        assertThat(first.getStatus()).isEqualTo(302);
        imports.awaitDataset(first.getRedirectedUrl()); // stored, so that the counts below are final
        long datasets = count("datasets");
        long blobs = blobFiles();
        // the same member from another address: the account's bucket is empty
        var refused = mvc.perform(csvUpload(member, "198.51.100.32")).andReturn().getResponse();
        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(refused.getHeader("Connection")).isEqualTo("close");
        assertThat(refused.getContentAsString()).startsWith("Too many uploads. Try again in ");
        assertThat(count("datasets")).isEqualTo(datasets);
        assertThat(blobFiles()).isEqualTo(blobs);
    }

    @Test
    void theMembersApiIsLimitedPerToken() throws Exception {
        AccountPrincipal member = users.member();
        String token = apiTokens.issue(member.id(), "script").token();
        for (int i = 0; i < 2; i++) {
            assertThat(mvc.perform(get("/api/v1/competitions/none/submissions/1").header("Authorization", "Bearer " + token)
                    .with(from("198.51.100.4" + i))).andReturn().getResponse().getStatus()).isEqualTo(404);
        }
        var refused = mvc.perform(get("/api/v1/competitions/none/submissions/1").header("Authorization", "Bearer " + token)
                .with(from("198.51.100.49"))).andReturn().getResponse();
        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(json.readValue(refused.getContentAsString(), Map.class).get("error").toString())
                .startsWith("Too many API requests.");
    }

    /** Each model submitted to a commission costs a run on its hidden test set: limited per member, from any address. */
    @Test
    void modelsSubmittedToCommissionsAreLimitedPerMember() throws Exception {
        AccountPrincipal member = users.member();
        long submissions = count("commission_submissions");
        for (int i = 0; i < 2; i++) {
            assertThat(mvc.perform(post("/requests/" + Long.MAX_VALUE + "/models").param("modelId", "1").with(user(member))
                    .with(csrf()).with(from("198.51.100.6" + i))).andReturn().getResponse().getStatus()).isEqualTo(404);
        }
        var refused = mvc.perform(post("/requests/" + Long.MAX_VALUE + "/models").param("modelId", "1").with(user(member))
                .with(csrf()).with(from("198.51.100.69")).header("Accept-Language", "ko")).andReturn();
        assertThat(refused.getResponse().getStatus()).isEqualTo(429);
        assertThat(refused.getResponse().getHeader("Retry-After")).matches("[1-9][0-9]*");
        assertThat(json.readValue(refused.getResponse().getContentAsString(java.nio.charset.StandardCharsets.UTF_8), Map.class)
                .get("error").toString()).startsWith("의뢰에 제출한 모델이 너무 많습니다.");
        // Another member is not limited by this one's submissions.
        assertThat(mvc.perform(post("/requests/" + Long.MAX_VALUE + "/models").param("modelId", "1").with(user(users.member()))
                .with(csrf()).with(from("198.51.100.69"))).andReturn().getResponse().getStatus()).isEqualTo(404);
        assertThat(count("commission_submissions")).isEqualTo(submissions);
    }

    @Test
    void theWorkersApiIsLimitedPerWorkerAndPerAddress() throws Exception {
        var worker = offers.register(users.member().id(), new GpuOffers.NewOffer("Limited", "L4", 24576, BigDecimal.ONE, "eu"));
        for (int i = 0; i < 2; i++) {
            assertThat(lease(worker.token(), "198.51.100.5" + i).getStatus()).isEqualTo(204);
        }
        assertThat(lease(worker.token(), "198.51.100.59").getStatus()).isEqualTo(429);
        // without a token too: the address's bucket
        for (int i = 0; i < 3; i++) {
            assertThat(lease("not-a-token", "2001:db8:1:2::" + i).getStatus()).isEqualTo(401);
        }
        // another address of the same IPv6 /64
        assertThat(lease("not-a-token", "2001:db8:1:2:ffff::1").getStatus()).isEqualTo(429);
        assertThat(lease("not-a-token", "2001:db8:1:3::1").getStatus()).isEqualTo(401);
    }

    /** Another instance (its own RateLimits on the same database) sees the buckets this one used. */
    @Test
    void everyInstanceCountsTheSameRequests() throws Exception {
        for (int i = 0; i < 3; i++) {
            lease("not-a-token", "198.51.100.61");
        }
        var otherInstance = new RateLimits(dataSource, limits, messages, locales, json, new SimpleMeterRegistry());
        var request = new MockHttpServletRequest("POST", "/api/worker/v1/lease");
        request.setRemoteAddr("198.51.100.61");
        var response = new MockHttpServletResponse();
        var chain = new MockFilterChain();
        otherInstance.filter().doFilter(request, response, chain);
        assertThat(response.getStatus()).isEqualTo(429);
        assertThat(chain.getRequest()).as("not passed on").isNull();
    }

    @Test
    void refilledBucketsAreSwept() throws Exception {
        lease("not-a-token", "198.51.100.71");
        assertThat(jdbc.sql("SELECT count(*) FROM rate_limit_buckets WHERE id LIKE '%|198.51.100.71'").query(Long.class).single())
                .isEqualTo(1);
        jdbc.sql("UPDATE rate_limit_buckets SET expires_at = 0 WHERE id LIKE '%|198.51.100.71'").update();
        new RateLimits(dataSource, limits, messages, locales, json, new SimpleMeterRegistry()).sweep();
        assertThat(jdbc.sql("SELECT count(*) FROM rate_limit_buckets WHERE id LIKE '%|198.51.100.71'").query(Long.class).single())
                .isZero();
    }

    @Test
    void aLimitIsWrittenCountSlashPeriod() {
        assertThat(RateLimitProperties.Limit.valueOf("30/1m")).isEqualTo(new RateLimitProperties.Limit(30, Duration.ofMinutes(1)));
        assertThat(RateLimitProperties.Limit.valueOf(" 5 / PT2H ").toString()).isEqualTo("5/7200s");
        for (String bad : new String[] {"30", "0/1m", "x/1m", "30/0s", "30/30d"}) {
            assertThatIllegalArgumentException().isThrownBy(() -> RateLimitProperties.Limit.valueOf(bad))
                    .withMessageContaining("rate limit");
        }
    }

    private MockHttpServletResponse lease(String token, String address) throws Exception {
        return mvc.perform(post("/api/worker/v1/lease").header("Authorization", "Bearer " + token).with(from(address)))
                .andReturn().getResponse();
    }

    private RequestBuilder csvUpload(AccountPrincipal member, String address) {
        return multipart("/datasets/new")
                .file(new MockMultipartFile("file", "rows.csv", "text/csv", "a,b,y\n1,2,x\n3,4,z\n".getBytes()))
                .param("listing.title", "Rows").param("listing.description", "").param("listing.tags", "")
                .param("listing.license", "CC-BY-4.0").param("listing.priceAic", "0").param("labelColumn", "y")
                .with(user(member)).with(csrf().asHeader()).with(from(address));
    }

    private static RequestPostProcessor from(String address) {
        return request -> {
            request.setRemoteAddr(address);
            return request;
        };
    }
}
