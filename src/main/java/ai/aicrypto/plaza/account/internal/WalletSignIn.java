package ai.aicrypto.plaza.account.internal;

import java.util.Collection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Role;
import ai.aicrypto.plaza.account.WalletLinked;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.platform.PlazaProperties;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * Sign-In with Ethereum: a single-use nonce with an expiry, the message's domain, URI, chain and
 * times checked against this server, and the signer recovered from the signature itself. The
 * browser's word counts for nothing: only the signature proves the address.
 */
@Service
class WalletSignIn {

    /** How far a wallet's clock may be ahead of ours. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(2);

    private final SecureRandom random = new SecureRandom();
    private final UserAccountRepository users;
    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final WalletChain chain;
    private final URI publicUrl;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    WalletSignIn(UserAccountRepository users, JdbcClient jdbc, PasswordEncoder passwords, WalletChain chain,
                 PlazaProperties plaza, Clock clock, ApplicationEventPublisher events) {
        this.events = events;
        this.publicUrl = plaza.publicUrl();
        this.users = users;
        this.jdbc = jdbc;
        this.passwords = passwords;
        this.chain = chain;
        this.clock = clock;
    }

    /**
     * Checks a signed message against the nonce this browser was given (already spent by the
     * caller, so it can serve once only) and the plaza's public URL: never against
     * the request's Host header, which whoever sends the signature chooses.
     *
     * @return the signer's address, lower-case
     */
    String verify(String messageText, String signatureHex, SiweNonces.Nonce expected) {
        SiweMessage message = SiweMessage.parse(messageText);
        Instant now = clock.instant();
        if (expected == null || !expected.value().equals(message.nonce())) {
            throw new UserFacingException(null, "wallet.error.nonce");
        }
        if (now.isAfter(expected.expiresAt())) {
            throw new UserFacingException(null, "wallet.error.nonce-expired");
        }
        if (!message.domain().equalsIgnoreCase(publicUrl.getAuthority())) {
            throw new UserFacingException(null, "wallet.error.domain", message.domain());
        }
        if (!sameOrigin(absolute(message.uri()), publicUrl)) {
            throw new UserFacingException(null, "wallet.error.uri", message.uri());
        }
        if (!"1".equals(message.version())) {
            throw new UserFacingException(null, "wallet.error.message-format");
        }
        if (message.chainId() != chain.chainId()) {
            throw new UserFacingException(null, "wallet.error.chain", message.chainId(), chain.chainId(), chain.name());
        }
        if (message.issuedAt().isAfter(now.plus(CLOCK_SKEW)) || message.issuedAt().isBefore(now.minus(SiweNonces.LIFETIME))) {
            throw new UserFacingException(null, "wallet.error.issued-at");
        }
        if (message.expirationTime() != null && !now.isBefore(message.expirationTime())) {
            throw new UserFacingException(null, "wallet.error.expired");
        }
        String signer = recoverSigner(messageText, signatureHex);
        if (!signer.equals(message.address())) {
            throw new UserFacingException(null, "wallet.error.signature");
        }
        return signer;
    }

    /**
     * The account a verified address signs in to: the one it is linked to; else the signed-in
     * account, which it is then linked to; else a new account.
     */
    @Transactional
    AccountPrincipal accountFor(String address, AccountPrincipal signedIn) {
        Long linked = jdbc.sql("SELECT user_id FROM wallet_links WHERE address = ?").param(address)
                .query(Long.class).optional().orElse(null);
        if (linked != null) {
            if (signedIn != null && signedIn.id() != linked) {
                throw new UserFacingException(null, "wallet.error.linked-elsewhere");
            }
            return users.findById(linked).orElseThrow().toPrincipal();
        }
        long userId = signedIn != null ? signedIn.id() : createAccount(address);
        link(userId, address);
        return users.findById(userId).orElseThrow().toPrincipal();
    }

    /** Links in the caller's transaction and announces it (licenses bought with the wallet follow it). */
    @Transactional
    void link(long userId, String address) {
        String lower = address.toLowerCase(java.util.Locale.ROOT);
        jdbc.sql("INSERT INTO wallet_links (address, user_id) VALUES (?, ?)").params(lower, userId).update();
        events.publishEvent(new WalletLinked(userId, lower));
    }

    Optional<Long> accountOfWallet(String address) {
        return jdbc.sql("SELECT user_id FROM wallet_links WHERE address = ?").param(address.toLowerCase(java.util.Locale.ROOT))
                .query(Long.class).optional();
    }

    Map<Long, List<String>> walletsOf(Collection<Long> userIds) {
        Map<Long, List<String>> out = new HashMap<>();
        jdbc.sql("SELECT user_id, address FROM wallet_links WHERE user_id = ANY(?) ORDER BY linked_at")
                .param(userIds.stream().mapToLong(Long::longValue).boxed().toArray(Long[]::new))
                .query(rs -> {
                    out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2).trim());
                });
        return out;
    }

    /** The wallet's account, or a new wallet-only one linked to it (what signing in with it would make). */
    @Transactional
    long accountOfWalletOrNew(String address) {
        String lower = address.toLowerCase(Locale.ROOT);
        Optional<Long> linked = accountOfWallet(lower);
        if (linked.isPresent()) {
            return linked.get();
        }
        long userId = createAccount(lower);
        link(userId, lower);
        return userId;
    }

    List<String> walletsOf(long userId) {
        return jdbc.sql("SELECT address FROM wallet_links WHERE user_id = ? ORDER BY linked_at").param(userId)
                .query(String.class).list();
    }

    /** A wallet-only account: no usable password (a random one, hashed and forgotten). */
    private long createAccount(String address) {
        String base = "eth-" + address.substring(2, 10);
        String username = base;
        for (int i = 2; users.usernameTaken(username); i++) {
            username = base + "-" + i;
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        var account = new UserAccount(username, address + "@wallet.invalid",
                address.substring(0, 6) + "…" + address.substring(38), passwords.encode(HexFormat.of().formatHex(secret)),
                EnumSet.of(Role.MEMBER));
        return users.save(account).getId();
    }

    /** The address whose key made a personal_sign (EIP-191) signature of the message. */
    static String recoverSigner(String message, String signatureHex) {
        byte[] signature;
        try {
            signature = HexFormat.of().parseHex(signatureHex.startsWith("0x") ? signatureHex.substring(2) : signatureHex);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException(null, "wallet.error.signature");
        }
        if (signature.length != 65) {
            throw new UserFacingException(null, "wallet.error.signature");
        }
        byte v = signature[64];
        if (v < 27) {
            v += 27;
        }
        byte[] r = java.util.Arrays.copyOfRange(signature, 0, 32);
        byte[] s = java.util.Arrays.copyOfRange(signature, 32, 64);
        try {
            BigInteger publicKey = Sign.signedPrefixedMessageToKey(message.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    new Sign.SignatureData(v, r, s));
            return "0x" + Keys.getAddress(publicKey).toLowerCase(Locale.ROOT);
        } catch (java.security.SignatureException | RuntimeException e) {
            throw new UserFacingException(null, "wallet.error.signature");
        }
    }

    private static URI absolute(String uri) {
        try {
            URI parsed = new URI(uri);
            if (parsed.getScheme() != null && parsed.getHost() != null) {
                return parsed;
            }
        } catch (URISyntaxException e) {
            // refused below, as a relative URI is
        }
        throw new UserFacingException(null, "wallet.error.uri-relative", uri);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

}
