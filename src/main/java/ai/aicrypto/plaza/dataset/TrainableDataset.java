package ai.aicrypto.plaza.dataset;

import java.math.BigDecimal;

/**
 * A dataset someone may train on, with what a training form and its price estimate need.
 *
 * @param unvettedComputeAllowed whether its owner lets licensees train on GPU offers without a verified record
 */
public record TrainableDataset(long id, String title, long ownerId, BigDecimal priceAic, long rowCount,
                               int featureCount, boolean unvettedComputeAllowed) {

    /**
     * Whether this user's jobs on it must run on a vetted GPU offer: someone else's paid data goes only to
     * providers with a verified record, unless its owner allows others.
     */
    public boolean needsVettedCompute(long userId) {
        return priceAic.signum() > 0 && ownerId != userId && !unvettedComputeAllowed;
    }
}
