package ai.aicrypto.plaza.competition;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What other parts of the plaza (the home page) show of competitions. */
public interface Competitions {

    /** Competitions that have not ended, soonest end first, then the most recently ended ones; at most {@code limit}. */
    List<CompetitionCard> featured(int limit);

    /** Members whose team had a submission scored in [from, to), once per competition and member (not the host's baselines). */
    List<Entrant> entrantsBetween(Instant from, Instant to);

    /**
     * The competition named {@code slug}, for what hangs off its page (its discussion); empty when there is none (never
     * hosted, or deleted). Every hosted competition is public: this is the one place that would say otherwise.
     */
    Optional<CompetitionRef> publicCompetition(String slug);

    record CompetitionRef(long id, String slug, String title, long hostId) {
    }

    /**
     * @param datasetId      the competition's training dataset (a listing), or null when it has none
     * @param datasetOwnerId that dataset's owner
     */
    record Entrant(long competitionId, long hostId, long userId, Instant lastScoredAt, Long datasetId, Long datasetOwnerId) {
    }

    record CompetitionCard(String slug, String title, String excerpt, Instant startsAt, Instant endsAt,
                           BigDecimal prizePoolAic, long teams, boolean ended) {
    }
}
