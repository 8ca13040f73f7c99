package ai.aicrypto.plaza.account.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.platform.UserFacingException;

/**
 * A Sign-In with Ethereum message (EIP-4361), parsed from the exact text the wallet signed. Only
 * the fields the plaza checks are kept; a message that does not follow the format is refused.
 */
record SiweMessage(String domain, String address, String uri, String version, long chainId, String nonce,
                   Instant issuedAt, Instant expirationTime) {

    /** Far more than a sign-in message needs; anything longer is refused before it is read. */
    static final int MAX_LENGTH = 4096;

    private static final String HEADER = " wants you to sign in with your Ethereum account:";
    private static final Pattern DOMAIN = Pattern.compile("[^\\s/]+");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern CHAIN_ID = Pattern.compile("[0-9]{1,18}");
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9]{8,}");

    /**
     * EIP-4361's layout, one line at a time: domain header, address, blank, [statement, blank],
     * URI, Version, Chain ID, Nonce, Issued At, [Expiration Time]; later optional fields are not read.
     */
    static SiweMessage parse(String text) {
        if (text != null && text.length() > MAX_LENGTH) {
            throw new UserFacingException(null, "wallet.error.message-too-long", MAX_LENGTH);
        }
        Lines lines = new Lines(text == null ? new String[0] : text.replace("\r\n", "\n").split("\n", -1));
        String header = lines.next();
        String domain = header.endsWith(HEADER) ? header.substring(0, header.length() - HEADER.length()) : "";
        String address = lines.next();
        if (!DOMAIN.matcher(domain).matches() || !ADDRESS.matcher(address).matches() || !lines.next().isEmpty()) {
            throw invalid();
        }
        if (!lines.next().isEmpty() && !lines.next().isEmpty()) { // a statement, then a blank line
            throw invalid();
        }
        String uri = lines.field("URI: ");
        String version = lines.field("Version: ");
        String chainId = lines.field("Chain ID: ");
        String nonce = lines.field("Nonce: ");
        String issuedAt = lines.field("Issued At: ");
        String expirationTime = lines.optionalField("Expiration Time: ");
        if (!CHAIN_ID.matcher(chainId).matches() || !NONCE.matcher(nonce).matches()) {
            throw invalid();
        }
        try {
            return new SiweMessage(domain, address.toLowerCase(Locale.ROOT), uri, version, Long.parseLong(chainId), nonce,
                    Instant.parse(issuedAt), expirationTime == null ? null : Instant.parse(expirationTime));
        } catch (DateTimeParseException e) {
            throw invalid();
        }
    }

    private static UserFacingException invalid() {
        return new UserFacingException(null, "wallet.error.message-format");
    }

    /** The message's lines in order; reading past the end reads empty lines. */
    private static final class Lines {

        private final String[] lines;
        private int next;

        Lines(String[] lines) {
            this.lines = lines;
        }

        String next() {
            return next < lines.length ? lines[next++] : "";
        }

        /** The value of the next line, which must be {@code name} and a non-empty value. */
        String field(String name) {
            String value = optionalField(name);
            if (value == null) {
                throw invalid();
            }
            return value;
        }

        /** Like {@link #field} when the next line is that field; else null, and nothing is read. */
        String optionalField(String name) {
            if (next >= lines.length || !lines[next].startsWith(name) || lines[next].length() == name.length()) {
                return null;
            }
            return lines[next++].substring(name.length());
        }
    }
}
