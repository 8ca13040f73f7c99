package ai.aicrypto.plaza.bounty.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.platform.Aic;

/**
 * A data request as stored. {@code requesterWallet} is the wallet whose confirmed BountyOpened log funded it (null while
 * awaiting funding); {@code creatorWallet} the wallet its confirmed BountyAccepted log paid.
 */
record Bounty(long id, long requesterId, String requesterName, String title, String description, List<String> expectedColumns,
              String labelColumn, long minRows, String qualityBar, String license, BigDecimal priceAic, BigInteger bountyWei,
              Instant deadline, Status status, String requesterWallet, String creatorWallet, Long acceptedListing,
              String closedTx) {

    enum Status { AWAITING_FUNDING, FUNDED, ACCEPTED, REFUNDED }

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
