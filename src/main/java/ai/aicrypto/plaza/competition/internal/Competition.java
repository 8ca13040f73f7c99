package ai.aicrypto.plaza.competition.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.competition.scoring.Metric;

/**
 * A competition as stored. Its solutions, test inputs, quotas and splits are its {@linkplain CompetitionPhase phases'}
 * (one for a competition hosted without phases), all encrypted under its data key; it spans them all.
 *
 * @param finalizedAt when its last phase was finalized: the final ranking the prizes are paid on
 * @param modelsOnly  a code competition: participants submit models, which the plaza runs on the test inputs that only
 *                    the host may download
 */
public record Competition(long id, String slug, long hostId, String title, String overview, String rules,
                          Long datasetId, String dataDescription, Metric metric, byte[] wrappedDataKey, Instant startsAt,
                          Instant endsAt, Instant mergeDeadline, int finalSelections,
                          int maxTeamSize, BigDecimal prizePoolAic, List<Integer> prizeSplit, Instant finalizedAt,
                          Instant closedAt, String closeReason, boolean modelsOnly) {

    public enum Phase { UPCOMING, RUNNING, ENDED }

    public Phase phase(Instant now) {
        if (now.isBefore(startsAt)) {
            return Phase.UPCOMING;
        }
        return now.isBefore(closesAt()) ? Phase.RUNNING : Phase.ENDED;
    }

    /**
     * When taking part ends: the announced end, or earlier if the host closed the competition early. Everything that
     * depends on the competition being open uses this; only the prize escrow keeps to {@link #endsAt}.
     */
    public Instant closesAt() {
        return closedAt != null ? closedAt : endsAt;
    }

    public boolean closedEarly() {
        return closedAt != null;
    }

    /** The last phase's final ranking is made: the prizes may be paid. */
    public boolean finalized() {
        return finalizedAt != null;
    }

    public boolean hostedBy(AccountPrincipal who) {
        return who != null && who.id() == hostId;
    }

    /** The prize of each rank in AIC, from the pool and its split. */
    public List<BigDecimal> prizes() {
        return prizeSplit.stream()
                .map(p -> prizePoolAic.multiply(BigDecimal.valueOf(p)).movePointLeft(2).stripTrailingZeros())
                .toList();
    }

    @Override
    public String toString() {
        return "Competition[" + id + " " + slug + "]";
    }
}
