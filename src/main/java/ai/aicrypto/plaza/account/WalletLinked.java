package ai.aicrypto.plaza.account;

/** A wallet address (lower-case) was linked to an account; published in the linking transaction. */
public record WalletLinked(long userId, String address) {
}
