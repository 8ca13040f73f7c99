package ai.aicrypto.plaza.account;

import java.util.Collection;
import java.util.Map;
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

    record NewAccount(String username, String email, String displayName, String password) {
    }
}
