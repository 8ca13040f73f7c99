package ai.aicrypto.plaza.bounty.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.platform.Aic;

/**
 * A data request or an AI commission as stored. {@code requesterWallet} is the wallet whose confirmed BountyOpened log
 * funded it (null while awaiting funding); {@code creatorWallet} the wallet its confirmed BountyAccepted log paid. A
 * data request has the data's terms (columns to {@code priceAic}); a commission has its {@code metric} and the
 * {@code bar} a model's score on the hidden test set must reach instead (and no license or price: the token moves).
 */
record Bounty(long id, Kind kind, long requesterId, String requesterName, String title, String description,
              List<String> expectedColumns, String labelColumn, long minRows, String qualityBar, String license,
              BigDecimal priceAic, Metric metric, Double bar, BigInteger bountyWei, Instant deadline, Status status,
              String requesterWallet, String creatorWallet, Long acceptedListing, String closedTx) {

    enum Status { AWAITING_FUNDING, FUNDED, ACCEPTED, REFUNDED }

    /** DATA: creators submit datasets; MODEL: an AI commission, developers submit trained models. */
    enum Kind { DATA, MODEL }

    public boolean commission() {
        return kind == Kind.MODEL;
    }

    /** Whether a model's score on the hidden test set reaches the commission's bar (at least, or at most for a loss). */
    public boolean passes(double score) {
        return metric.higherIsBetter() ? score >= bar : score <= bar;
    }

    /** The bounty in AIC, as pages show it. */
    public String bountyAic() {
        return Aic.format(bountyWei);
    }

    boolean requestedBy(long userId) {
        return requesterId == userId;
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(deadline);
    }

    /** Creators may submit while the bounty is escrowed and the deadline has not passed. */
    public boolean openAt(Instant now) {
        return status == Status.FUNDED && !expiredAt(now);
    }
}
