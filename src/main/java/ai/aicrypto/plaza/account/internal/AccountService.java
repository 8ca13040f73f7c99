package ai.aicrypto.plaza.account.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.Role;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class AccountService implements Accounts, UserDetailsService {

    private final UserAccountRepository users;
    private final PasswordEncoder passwordEncoder;
    private final WalletSignIn wallets;

    AccountService(UserAccountRepository users, PasswordEncoder passwordEncoder, WalletSignIn wallets) {
        this.users = users;
        this.passwordEncoder = passwordEncoder;
        this.wallets = wallets;
    }

    @Override
    public List<String> wallets(long userId) {
        return wallets.walletsOf(userId);
    }

    @Override
    public Map<Long, List<String>> wallets(Collection<Long> userIds) {
        return userIds.isEmpty() ? Map.of() : wallets.walletsOf(userIds);
    }

    @Override
    public Optional<Long> idOf(String username) {
        return users.findByUsernameIgnoreCase(username).map(u -> u.getId());
    }

    @Override
    public Optional<Long> accountOfWallet(String address) {
        return wallets.accountOfWallet(address);
    }

    @Override
    @Transactional
    public long accountOfWalletOrNew(String address) {
        return wallets.accountOfWalletOrNew(address);
    }

    @Override
    public void linkWalletTrusted(long userId, String address) {
        wallets.link(userId, address);
    }

    @Override
    @Transactional(readOnly = true)
    public UserDetails loadUserByUsername(String username) {
        return users.findByUsernameIgnoreCase(username)
                .map(UserAccount::toPrincipal)
                .orElseThrow(() -> new UsernameNotFoundException("No such user"));
    }

    @Override
    @Transactional(readOnly = true)
    public Map<Long, String> usernames(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return users.findByIdIn(Set.copyOf(ids)).stream()
                .collect(Collectors.toMap(UserAccount::getId, UserAccount::getUsername));
    }

    @Override
    @Transactional
    public long register(NewAccount account, Set<Role> roles) {
        if (users.usernameTaken(account.username())) {
            throw new UserFacingException("username", "account.error.username-taken");
        }
        if (users.emailTaken(account.email())) {
            throw new UserFacingException("email", "account.error.email-taken");
        }
        var user = new UserAccount(account.username().trim(), account.email().trim(), account.displayName().trim(),
                passwordEncoder.encode(account.password()), roles);
        return users.save(user).getId();
    }

    @Transactional(readOnly = true)
    UserAccount profile(long id) {
        return users.findById(id).orElseThrow(NotFoundException::new);
    }

    @Transactional
    void changeDisplayName(long id, String displayName) {
        profile(id).changeDisplayName(displayName.trim());
    }
}
