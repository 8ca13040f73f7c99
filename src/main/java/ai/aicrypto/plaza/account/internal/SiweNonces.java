package ai.aicrypto.plaza.account.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.storage.DataKeys;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.ResponseCookie;
import org.springframework.http.HttpHeaders;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Sign-In with Ethereum nonces (review L4). A nonce and its expiry travel in a cookie sealed under the master key, so
 * asking for one stores nothing on the server (it used to make a session row per request, for anyone who asked) and
 * any instance can check it. A nonce serves once: taking it records it as spent until it expires, in PostgreSQL, so a
 * signed message replayed with its cookie, here or on another instance, is refused.
 */
@Component
class SiweNonces {

    static final Duration LIFETIME = Duration.ofMinutes(5);
    static final String COOKIE = "plaza-siwe-nonce";
    private static final String SEAL_CONTEXT = "account:siwe-nonce";
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** A sealed nonce is about 80 characters; anything much longer is not one of ours and is not unsealed. */
    private static final int MAX_COOKIE_LENGTH = 256;

    private final SecureRandom random = new SecureRandom();
    private final DataKeys keys;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final boolean secureCookie;

    SiweNonces(DataKeys keys, JdbcClient jdbc, Clock clock, PlazaProperties plaza) {
        this.keys = keys;
        this.jdbc = jdbc;
        this.clock = clock;
        this.secureCookie = "https".equals(plaza.publicUrl().getScheme());
    }

    /** A fresh nonce of 17 random alphanumerics (EIP-4361 asks for at least 8), set in the response's cookie. */
    Nonce issue(HttpServletResponse response) {
        var value = new StringBuilder();
        for (int i = 0; i < 17; i++) {
            value.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        Nonce nonce = new Nonce(value.toString(), clock.instant().plus(LIFETIME));
        byte[] sealed = keys.seal((nonce.value() + "|" + nonce.expiresAt().getEpochSecond()).getBytes(StandardCharsets.US_ASCII),
                SEAL_CONTEXT);
        setCookie(response, Base64.getUrlEncoder().withoutPadding().encodeToString(sealed), LIFETIME);
        return nonce;
    }

    /**
     * The nonce this browser was given, spent now whatever the outcome of the sign-in, and its cookie cleared; null
     * when there is none, it was altered or sealed elsewhere, or it was spent already. An expired one is returned
     * (the sign-in says it expired).
     */
    Nonce take(HttpServletRequest request, HttpServletResponse response) {
        String sealed = cookie(request);
        if (sealed == null) {
            return null;
        }
        setCookie(response, "", Duration.ZERO);
        Nonce nonce = unseal(sealed);
        if (nonce == null) {
            return null;
        }
        Instant now = clock.instant();
        int spent = jdbc.sql("INSERT INTO siwe_spent_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .param(nonce.value()).param(Timestamp.from(nonce.expiresAt().isAfter(now) ? nonce.expiresAt() : now))
                .update();
        return spent == 1 ? nonce : null;
    }

    /**
     * Spent nonces past their expiry: their cookies' seals refuse them anyway. Off the sign-in's path, on one instance
     * at a time.
     */
    @Scheduled(fixedDelay = 60_000, initialDelay = 60_000)
    @SchedulerLock(name = "siwe-spent-nonces-sweep", lockAtMostFor = "5m", lockAtLeastFor = "30s")
    void forgetExpired() {
        jdbc.sql("DELETE FROM siwe_spent_nonces WHERE expires_at < ?").param(Timestamp.from(clock.instant())).update();
    }

    private Nonce unseal(String sealed) {
        try {
            String[] parts = new String(keys.unseal(Base64.getUrlDecoder().decode(sealed), SEAL_CONTEXT),
                    StandardCharsets.US_ASCII).split("\\|");
            return new Nonce(parts[0], Instant.ofEpochSecond(Long.parseLong(parts[1])));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String cookie(HttpServletRequest request) {
        if (request.getCookies() == null) {
            return null;
        }
        for (Cookie cookie : request.getCookies()) {
            if (COOKIE.equals(cookie.getName()) && !cookie.getValue().isEmpty() && cookie.getValue().length() <= MAX_COOKIE_LENGTH) {
                return cookie.getValue();
            }
        }
        return null;
    }

    /** Only the sign-in routes read it; no other site's page can make the browser send it (SameSite=Strict). */
    private void setCookie(HttpServletResponse response, String value, Duration maxAge) {
        response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from(COOKIE, value).path("/siwe").httpOnly(true)
                .secure(secureCookie).sameSite("Strict").maxAge(maxAge).build().toString());
    }

    record Nonce(String value, Instant expiresAt) {
    }
}
