package ai.aicrypto.plaza.account;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Personal API tokens: a member issues one on the profile page and sends it as
 * {@code Authorization: Bearer <token>} to {@code /api/v1/**}. Only a token's SHA-256 is stored,
 * so the token itself is shown once, when it is issued.
 */
public interface ApiTokens {

    /**
     * Issues a token named {@code name} (1 to 80 characters, else a
     * {@link ai.aicrypto.plaza.platform.UserFacingException} on field {@code name}).
     */
    IssuedToken issue(long userId, String name);

    /** Revokes one of the user's tokens; another user's token or an unknown id is a NotFoundException. */
    void revoke(long userId, long tokenId);

    /** The user's tokens, newest first, without their secrets. */
    List<TokenInfo> list(long userId);

    /** The account a token belongs to, with the token's id, or empty for an unknown or revoked token. */
    Optional<TokenHolder> authenticate(String token);

    /** Who called with a token, and which of their tokens it was (calls are metered by token). */
    record TokenHolder(AccountPrincipal principal, long tokenId) {
    }

    /** A newly issued token: {@code token} is the secret, never stored, never shown again. */
    record IssuedToken(long id, String name, String token) {
    }

    record TokenInfo(long id, String name, Instant createdAt, Instant lastUsedAt) {
    }
}
