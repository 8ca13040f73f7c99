package ai.aicrypto.plaza.competition.internal;

import java.util.HashSet;
import java.util.Set;

import ai.aicrypto.plaza.dataset.DatasetTrainingGrants;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A competition's participants may train on its training dataset in the AI Builder, as they may download it
 * ({@link CompetitionFiles#openTraining}): the host offered it to whoever joins, and a license of their own (a price,
 * if the host set one on its listing) is not asked of them.
 */
@Component
class ParticipantsTrainingGrants implements DatasetTrainingGrants {

    private final JdbcClient jdbc;

    ParticipantsTrainingGrants(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Set<Long> grantedTo(long userId) {
        return new HashSet<>(jdbc.sql("""
                        SELECT DISTINCT c.dataset_id FROM participants p JOIN competitions c ON c.id = p.competition_id
                        WHERE p.user_id = ? AND c.dataset_id IS NOT NULL""")
                .param(userId).query(Long.class).list());
    }
}
