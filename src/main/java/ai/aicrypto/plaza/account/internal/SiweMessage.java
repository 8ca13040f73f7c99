package ai.aicrypto.plaza.account.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * A Sign-In with Ethereum message (EIP-4361), parsed from the exact text the wallet signed. Only
 * the fields the plaza checks are kept; a message that does not follow the format is refused.
 */
record SiweMessage(String domain, String address, String uri, String version, long chainId, String nonce,
                   Instant issuedAt, Instant expirationTime) {

    /** EIP-4361's ABNF: address LF LF [statement LF] LF "URI: " ...; optional fields may follow. */
    private static final Pattern FORMAT = Pattern.compile(
            "(?<domain>[^\\s/]+) wants you to sign in with your Ethereum account:\n"
            + "(?<address>0x[0-9a-fA-F]{40})\n\n"
            + "(?:[^\n]+\n)?\n"
            + "URI: (?<uri>[^\n]+)\n"
            + "Version: (?<version>[^\n]+)\n"
            + "Chain ID: (?<chainId>[0-9]+)\n"
            + "Nonce: (?<nonce>[A-Za-z0-9]{8,})\n"
            + "Issued At: (?<issuedAt>[^\n]+)"
            + "(?:\nExpiration Time: (?<expirationTime>[^\n]+))?"
            + "(?:\n[^\n]*)*");

    static SiweMessage parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.replace("\r\n", "\n"));
        if (!m.matches()) {
            throw new UserFacingException(null, "wallet.error.message-format");
        }
        try {
            return new SiweMessage(m.group("domain"), m.group("address").toLowerCase(Locale.ROOT), m.group("uri"),
                    m.group("version"), Long.parseLong(m.group("chainId")), m.group("nonce"),
                    Instant.parse(m.group("issuedAt")),
                    m.group("expirationTime") == null ? null : Instant.parse(m.group("expirationTime")));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new UserFacingException(null, "wallet.error.message-format");
        }
    }
}
