package ai.aicrypto.plaza.serving.internal;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Signatures of the calls one instance forwards to another: HMAC-SHA256, under the secret the instances share, of the
 * method, the path with its query (which names the instance it is meant for), the time, a random nonce and the body.
 * A receiver accepts a signature once, within {@link #WINDOW} of its time: a copy replayed later, or to another
 * instance, is refused.
 */
final class InstanceSignatures {

    static final String TIME = "X-Plaza-Instance-Time", NONCE = "X-Plaza-Instance-Nonce", SIGNATURE = "X-Plaza-Instance-Signature";
    /** How far a forwarded call's time may be from the receiver's clock (instances' clocks differ a little). */
    static final Duration WINDOW = Duration.ofSeconds(30);

    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;
    private final Clock clock;
    /** Nonces accepted within the window; kept a little longer than it, so a replay inside the window is caught. */
    private final Cache<String, Boolean> seen = Caffeine.newBuilder().expireAfterWrite(WINDOW.multipliedBy(2))
            .maximumSize(1_000_000).build();

    InstanceSignatures(String secret, Clock clock) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.clock = clock;
    }

    /** The three headers' values for a call of {@code pathAndQuery} with {@code body}: time, nonce, signature. */
    String[] sign(String method, String pathAndQuery, byte[] body) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String time = Long.toString(clock.millis()), nonceHex = HexFormat.of().formatHex(nonce);
        return new String[] {time, nonceHex, mac(method, pathAndQuery, time, nonceHex, body)};
    }

    /** Why a call's headers do not authenticate it, or null when they do (the nonce is then spent). */
    String refusal(String method, String pathAndQuery, String time, String nonce, String signature, byte[] body) {
        if (time == null || nonce == null || signature == null || !time.matches("\\d{1,15}") || !nonce.matches("[0-9a-f]{32}")) {
            return "unsigned";
        }
        if (Math.abs(clock.millis() - Long.parseLong(time)) > WINDOW.toMillis()) {
            return "signed at a time outside the window";
        }
        byte[] expected = mac(method, pathAndQuery, time, nonce, body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            return "bad signature";
        }
        return seen.asMap().putIfAbsent(nonce, Boolean.TRUE) == null ? null : "replayed";
    }

    private String mac(String method, String pathAndQuery, String time, String nonce, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((method + "\n" + pathAndQuery + "\n" + time + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
