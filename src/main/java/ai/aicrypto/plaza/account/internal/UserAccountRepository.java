package ai.aicrypto.plaza.account.internal;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface UserAccountRepository extends JpaRepository<UserAccount, Long> {

    @Query("select u from UserAccount u where lower(u.username) = lower(?1)")
    Optional<UserAccount> findByUsernameIgnoreCase(String username);

    @Query("select count(u) > 0 from UserAccount u where lower(u.username) = lower(?1)")
    boolean usernameTaken(String username);

    @Query("select count(u) > 0 from UserAccount u where lower(u.email) = lower(?1)")
    boolean emailTaken(String email);

    List<UserAccount> findByIdIn(Collection<Long> ids);
}
