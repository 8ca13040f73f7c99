package ai.aicrypto.plaza.account.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.account.Role;
import ai.aicrypto.plaza.platform.LiveUpdates;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.NotifiedCache;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tokens are random 256-bit secrets with a recognisable prefix; only their SHA-256 is stored. */
@Service
class ApiTokenService implements ApiTokens {

    private static final String PREFIX = "plaza_";

    private final SecureRandom random = new SecureRandom();
    private final JdbcClient jdbc;
    private final Clock clock;
    /**
     * Holders by token hash: every call of the members' API starts with its token. Kept until a token, a role or a name
     * changes ({@code api-tokens.cache}, db/migration V75), and a minute at most: "last used" is written when a token is
     * read, so it stays right to the minute.
     */
    private final NotifiedCache<String, TokenHolder> holders;

    ApiTokenService(JdbcClient jdbc, Clock clock, LiveUpdates live) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.holders = new NotifiedCache<>(live, "api-tokens.cache", hash -> hash, Duration.ofMinutes(1), 100_000);
    }

    @Override
    @Transactional
    public IssuedToken issue(long userId, String name) {
        String label = name == null ? "" : name.strip();
        if (label.isEmpty() || label.length() > 80) {
            throw new UserFacingException("name", "token.error.name");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        long id = jdbc.sql("INSERT INTO api_tokens (user_id, name, token_sha256, created_at) VALUES (?, ?, ?, ?) RETURNING id")
                .params(userId, label, sha256(token), Timestamp.from(clock.instant()))
                .query(Long.class).single();
        return new IssuedToken(id, label, token);
    }

    @Override
    @Transactional
    public void revoke(long userId, long tokenId) {
        if (jdbc.sql("DELETE FROM api_tokens WHERE id = ? AND user_id = ?").params(tokenId, userId).update() == 0) {
            throw new NotFoundException();
        }
        holders.dropOnCommit(null);
    }

    @Override
    @Transactional(readOnly = true)
    public List<TokenInfo> list(long userId) {
        return jdbc.sql("SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC")
                .param(userId)
                .query((rs, n) -> new TokenInfo(rs.getLong("id"), rs.getString("name"),
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("last_used_at") == null ? null : rs.getTimestamp("last_used_at").toInstant()))
                .list();
    }

    @Override
    public Optional<TokenHolder> authenticate(String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return holders.get(sha256(token), this::holder);
    }

    /**
     * One statement, outside any transaction: the token, its holder and their roles come in one round trip (the
     * password hash is not read: a token holder never signs in with it).
     */
    private Optional<TokenHolder> holder(String tokenSha256) {
        // "Last used" to the minute: a token calling many times a second writes once a minute, not per call.
        // Bound as timestamptz, not java.sql.Timestamp: pgjdbc sends a Timestamp's type as unknown, has the server
        // describe the statement, and then (its text columns being unbounded) adds an empty round trip before every
        // execution of it: two round trips per API call instead of one (JFR, ops/bench/inference).
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        return jdbc.sql("""
                        WITH t AS (SELECT id, user_id, last_used_at FROM api_tokens WHERE token_sha256 = ?),
                             touched AS (UPDATE api_tokens a SET last_used_at = ? FROM t
                                         WHERE a.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < CAST(? AS timestamptz) - interval '1 minute'))
                        SELECT t.id, u.id, u.username, u.display_name,
                               coalesce((SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id), '') AS roles
                        FROM t JOIN users u ON u.id = t.user_id""")
                .params(tokenSha256, now, now)
                .query((rs, n) -> new TokenHolder(new AccountPrincipal(rs.getLong(2), rs.getString(3), rs.getString(4),
                        roles(rs.getString(5)), null), rs.getLong(1)))
                .optional();
    }

    private static Set<Role> roles(String names) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names.split(",")) {
            if (!name.isEmpty()) {
                roles.add(Role.valueOf(name));
            }
        }
        return roles;
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
