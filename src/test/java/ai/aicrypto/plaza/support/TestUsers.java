package ai.aicrypto.plaza.support;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.Role;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.stereotype.Component;

/** Creates real accounts for tests and returns them as the principal a signed-in request carries. */
@Component
public class TestUsers {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Accounts accounts;
    private final UserDetailsService userDetails;

    TestUsers(Accounts accounts, UserDetailsService userDetails) {
        this.accounts = accounts;
        this.userDetails = userDetails;
    }

    public AccountPrincipal member() {
        return create(EnumSet.of(Role.MEMBER));
    }

    /** A member whose wallet is the test chain's account {@code chainAccount}, linked as a signature would link it. */
    public AccountPrincipal withWallet(int chainAccount) {
        AccountPrincipal who = member();
        accounts.linkWalletTrusted(who.id(), TestChain.address(chainAccount));
        return who;
    }

    public AccountPrincipal admin() {
        return create(EnumSet.of(Role.MEMBER, Role.ADMIN));
    }

    private AccountPrincipal create(Set<Role> roles) {
        String name = "user" + System.nanoTime() % 1_000_000 + "x" + SEQUENCE.incrementAndGet();
        accounts.register(new Accounts.NewAccount(name, name + "@example.org", name, "a-long-password"), roles);
        return (AccountPrincipal) userDetails.loadUserByUsername(name);
    }
}
