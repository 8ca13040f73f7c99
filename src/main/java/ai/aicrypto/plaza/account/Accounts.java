package ai.aicrypto.plaza.account;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Read-only facts about accounts for other modules. */
public interface Accounts {

    /** Usernames by account id, for showing owners of listings; unknown ids are absent. */
    Map<Long, String> usernames(Collection<Long> ids);

    /**
     * Creates an account; a taken username or email is a
     * {@link ai.aicrypto.plaza.platform.UserFacingException} naming the field.
     *
     * @return the new account's id
     */
    long register(NewAccount account, Set<Role> roles);

    /** Wallet addresses (lower-case) linked to the account, oldest first. */
    List<String> wallets(long userId);

    /** Wallets linked to each account (lower-case, oldest first); accounts without one are absent. */
    Map<Long, List<String>> wallets(Collection<Long> userIds);

    /** The id of the account with this username. */
    Optional<Long> idOf(String username);

    /** The account a wallet address is linked to. */
    Optional<Long> accountOfWallet(String address);

    /**
     * The account that signing in with the wallet opens: the one it is linked to, else a new wallet-only account
     * linked to it, as Sign-In with Ethereum makes for a new wallet (in the caller's transaction). For what the
     * chain gives a wallet no account has (an asset token it bought or received).
     */
    long accountOfWalletOrNew(String address);

    /**
     * Links a wallet to an account without a signature. Only for trusted callers that hold the
     * wallet's key themselves (the demo data); users link wallets by signing in with Ethereum.
     */
    void linkWalletTrusted(long userId, String address);

    record NewAccount(String username, String email, String displayName, String password) {
    }
}
