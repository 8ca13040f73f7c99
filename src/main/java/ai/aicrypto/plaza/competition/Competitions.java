package ai.aicrypto.plaza.competition;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** What other parts of the plaza (the home page) show of competitions. */
public interface Competitions {

    /** Competitions that have not ended, soonest end first, then the most recently ended ones; at most {@code limit}. */
    List<CompetitionCard> featured(int limit);

    record CompetitionCard(String slug, String title, String excerpt, Instant startsAt, Instant endsAt,
                           BigDecimal prizePoolAic, long teams, boolean ended) {
    }
}
