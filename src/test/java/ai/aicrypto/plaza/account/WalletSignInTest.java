package ai.aicrypto.plaza.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;

import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MvcResult;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import tools.jackson.databind.json.JsonMapper;

/** Sign-In with Ethereum end to end through the real routes, with keys made in the test. */
class WalletSignInTest extends IntegrationTest {

    @Autowired
    JsonMapper json;
    @Autowired
    TestUsers users;

    /** Where the nonce travels (review L4: not in a session). */
    private static final String NONCE_COOKIE = "plaza-siwe-nonce";

    private final ECKeyPair key = keyPair();
    private final String address = "0x" + Keys.getAddress(key.getPublicKey());

    @Test
    void aNewWalletSignsInAndGetsAnAccount() throws Exception {
        Session session = nonce();
        MvcResult result = verify(session, message(address, session.nonce, "localhost", 31337, Instant.now()), key);
        assertThat(result.getResponse().getStatus()).isEqualTo(200);
        assertThat(body(result)).containsEntry("address", address.toLowerCase()).containsEntry("redirect", "/");
        Cookie signedIn = result.getResponse().getCookie("SESSION");
        assertThat(signedIn).as("a session from sign-in on").isNotNull();
        String profile = mvc.perform(get("/profile").cookie(signedIn)).andReturn().getResponse().getContentAsString();
        assertThat(profile).contains(address.toLowerCase()).contains("eth-" + address.substring(2, 10).toLowerCase());
    }

    @Test
    void theSameWalletComesBackToTheSameAccount() throws Exception {
        Session first = nonce();
        verify(first, message(address, first.nonce, "localhost", 31337, Instant.now()), key);
        Session second = nonce();
        MvcResult again = verify(second, message(address, second.nonce, "localhost", 31337, Instant.now()), key);
        assertThat(again.getResponse().getStatus()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT count(*) FROM wallet_links WHERE address = ?").param(address.toLowerCase())
                .query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void aSignedInMemberLinksAWallet() throws Exception {
        AccountPrincipal member = users.member();
        Session session = nonce();
        String text = message(address, session.nonce, "localhost", 31337, Instant.now());
        MvcResult result = mvc.perform(post("/siwe/verify").cookie(session.cookie).with(user(member)).with(csrf())
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(Map.of("message", text,
                                "signature", sign(text, key)))))
                .andReturn();
        assertThat(body(result)).containsEntry("redirect", "/profile");
        assertThat(jdbc.sql("SELECT user_id FROM wallet_links WHERE address = ?").param(address.toLowerCase())
                .query(Long.class).single()).isEqualTo(member.id());
    }

    @Test
    void badMessagesAreRefusedWithAReasonAndSignInNobody() throws Exception {
        long links = count("wallet_links");
        Session s1 = nonce();
        assertRefused(verify(s1, message(address, "WrongNonce123", "localhost", 31337, Instant.now()), key), "not the one");
        Session s2 = nonce();
        assertRefused(verify(s2, message(address, s2.nonce, "evil.example", 31337, Instant.now()), key), "evil.example");
        Session s3 = nonce();
        assertRefused(verify(s3, message(address, s3.nonce, "localhost", 1, Instant.now()), key), "chain 1");
        Session s4 = nonce();
        assertRefused(verify(s4, message(address, s4.nonce, "localhost", 31337, Instant.now().minus(1, ChronoUnit.HOURS)), key),
                "clock");
        Session s5 = nonce();
        assertRefused(verify(s5, message(address, s5.nonce, "localhost", 31337, Instant.now()), keyPair()), "signature");
        Session s6 = nonce();
        assertRefused(verify(s6, "hello", key), "not a valid");
        assertThat(count("wallet_links")).isEqualTo(links);
    }

    @Test
    void aSignatureForAnotherSiteIsRefusedWhateverHostTheRequestNames() throws Exception {
        Session session = nonce();
        String text = message(address, session.nonce, "evil.example", 31337, Instant.now());
        MvcResult result = mvc.perform(post("/siwe/verify").header("Host", "evil.example").cookie(session.cookie).with(csrf())
                .contentType(MediaType.APPLICATION_JSON)
                .content(json.writeValueAsString(Map.of("message", text, "signature", sign(text, key))))).andReturn();
        assertRefused(result, "evil.example");
        assertThat(jdbc.sql("SELECT count(*) FROM wallet_links WHERE address = ?").param(address.toLowerCase())
                .query(Long.class).single()).isZero();
    }

    @Test
    void oversizedAndRelativeMessagesGetAClearRefusal() throws Exception {
        Session s1 = nonce();
        String huge = message(address, s1.nonce, "localhost", 31337, Instant.now()) + "\n".repeat(50_000);
        assertRefused(verify(s1, huge, key), "longer than");
        Session s2 = nonce();
        String relative = message(address, s2.nonce, "localhost", 31337, Instant.now()).replace("URI: http://localhost/", "URI: /");
        assertRefused(verify(s2, relative, key), "not an absolute address");
        Session s3 = nonce();
        String noScheme = message(address, s3.nonce, "localhost", 31337, Instant.now()).replace("URI: http://", "URI: ");
        assertRefused(verify(s3, noScheme, key), "not an absolute address");
    }

    @Test
    void aNonceServesOnce() throws Exception {
        Session session = nonce();
        String text = message(address, session.nonce, "localhost", 31337, Instant.now());
        MvcResult first = verify(session, text, key);
        assertThat(first.getResponse().getStatus()).isEqualTo(200);
        assertThat(first.getResponse().getCookie(NONCE_COOKIE).getMaxAge()).as("the cookie is cleared").isZero();
        assertRefused(verify(session, text, key), "not the one");
    }

    /** Review L4: asking for a nonce stores nothing on the server; the nonce travels sealed in a cookie of its own. */
    @Test
    void aNonceIsASealedCookieAndNoSession() throws Exception {
        long sessions = count("spring_session");
        MvcResult result = mvc.perform(get("/siwe/nonce")).andReturn();
        assertThat(result.getResponse().getCookie("SESSION")).isNull();
        assertThat(count("spring_session")).isEqualTo(sessions);
        String setCookie = result.getResponse().getHeader("Set-Cookie");
        assertThat(setCookie).startsWith(NONCE_COOKIE + "=").contains("Path=/siwe").contains("HttpOnly")
                .contains("SameSite=Strict").doesNotContain((String) body(result).get("nonce"));
    }

    @Test
    void anAlteredOrMissingNonceCookieIsRefused() throws Exception {
        Session session = nonce();
        String text = message(address, session.nonce, "localhost", 31337, Instant.now());
        String value = session.cookie.getValue();
        char last = value.charAt(value.length() - 1);
        Cookie altered = new Cookie(NONCE_COOKIE, value.substring(0, value.length() - 1) + (last == 'A' ? 'B' : 'A'));
        assertRefused(verify(new Session(session.nonce, altered), text, key), "not the one");
        assertRefused(verify(new Session(session.nonce, new Cookie("other", "x")), text, key), "not the one");
        assertRefused(verify(new Session(session.nonce, new Cookie(NONCE_COOKIE, "%%%")), text, key), "not the one");
        assertThat(jdbc.sql("SELECT count(*) FROM wallet_links WHERE address = ?").param(address.toLowerCase())
                .query(Long.class).single()).isZero();
    }

    /** A page that sent the visitor to sign in is where the wallet's sign-in goes back to, kept in a cookie. */
    @Test
    void walletSignInReturnsToThePageThatAskedForIt() throws Exception {
        MvcResult asked = mvc.perform(get("/profile").queryParam("tab", "wallets")).andReturn();
        assertThat(asked.getResponse().getRedirectedUrl()).endsWith("/login");
        assertThat(asked.getResponse().getCookie("SESSION")).isNull();
        Cookie saved = asked.getResponse().getCookie("REDIRECT_URI");
        Session session = nonce();
        String text = message(address, session.nonce, "localhost", 31337, Instant.now());
        MvcResult result = mvc.perform(post("/siwe/verify").cookie(session.cookie, saved).with(csrf())
                .contentType(MediaType.APPLICATION_JSON)
                .content(json.writeValueAsString(Map.of("message", text, "signature", sign(text, key))))).andReturn();
        assertThat(body(result)).containsEntry("redirect", "/profile?tab=wallets");
        assertThat(result.getResponse().getCookie("REDIRECT_URI").getMaxAge()).isZero();
    }

    @Test
    void koreanUsersGetKoreanReasons() throws Exception {
        Session session = nonce();
        String text = message(address, session.nonce, "localhost", 5, Instant.now());
        MvcResult result = mvc.perform(post("/siwe/verify").cookie(session.cookie).with(csrf())
                        .header("Accept-Language", "ko").contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(Map.of("message", text, "signature", sign(text, key)))))
                .andReturn();
        assertThat((String) body(result).get("error")).contains("네트워크");
    }

    private void assertRefused(MvcResult result, String reasonPart) throws Exception {
        assertThat(result.getResponse().getStatus()).isEqualTo(400);
        assertThat((String) body(result).get("error")).contains(reasonPart);
        assertThat(result.getResponse().getCookie("SESSION") == null
                || mvc.perform(get("/profile").cookie(result.getResponse().getCookie("SESSION")))
                .andReturn().getResponse().getStatus() == 302).isTrue();
    }

    private Session nonce() throws Exception {
        MvcResult result = mvc.perform(get("/siwe/nonce")).andReturn();
        return new Session((String) body(result).get("nonce"), result.getResponse().getCookie(NONCE_COOKIE));
    }

    private MvcResult verify(Session session, String text, ECKeyPair signer) throws Exception {
        return mvc.perform(post("/siwe/verify").cookie(session.cookie).with(csrf()).contentType(MediaType.APPLICATION_JSON)
                .content(json.writeValueAsString(Map.of("message", text, "signature", sign(text, signer))))).andReturn();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> body(MvcResult result) throws Exception {
        return json.readValue(result.getResponse().getContentAsString(), Map.class);
    }

    /** The message wallet.js builds; MockMvc serves http://localhost. */
    private static String message(String address, String nonce, String domain, long chainId, Instant issuedAt) {
        return domain + " wants you to sign in with your Ethereum account:\n" + Keys.toChecksumAddress(address) + "\n\n"
                + "Sign in to AI PLAZA.\n\nURI: http://" + domain + "/\nVersion: 1\nChain ID: " + chainId + "\n"
                + "Nonce: " + nonce + "\nIssued At: " + issuedAt + "\nExpiration Time: " + issuedAt.plusSeconds(300);
    }

    private static String sign(String text, ECKeyPair signer) {
        Sign.SignatureData sig = Sign.signPrefixedMessage(text.getBytes(StandardCharsets.UTF_8), signer);
        byte[] bytes = new byte[65];
        System.arraycopy(sig.getR(), 0, bytes, 0, 32);
        System.arraycopy(sig.getS(), 0, bytes, 32, 32);
        bytes[64] = sig.getV()[0];
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    private static ECKeyPair keyPair() {
        try {
            return Keys.createEcKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A nonce and the cookie it came in. */
    private record Session(String nonce, Cookie cookie) {
    }
}
