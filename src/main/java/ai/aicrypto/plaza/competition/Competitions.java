package ai.aicrypto.plaza.competition;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** What other parts of the plaza (the home page) show of competitions. */
public interface Competitions {

    /** Competitions that have not ended, soonest end first, then the most recently ended ones; at most {@code limit}. */
    List<CompetitionCard> featured(int limit);

    /** Members whose team had a submission scored in [from, to), once per competition and member (not the host's baselines). */
    List<Entrant> entrantsBetween(Instant from, Instant to);

    record Entrant(long competitionId, long hostId, long userId, Instant lastScoredAt) {
    }

    record CompetitionCard(String slug, String title, String excerpt, Instant startsAt, Instant endsAt,
                           BigDecimal prizePoolAic, long teams, boolean ended) {
    }
}
