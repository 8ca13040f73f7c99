package ai.aicrypto.plaza.dataset;

import java.math.BigDecimal;

/** A dataset someone may train on, with what a training form and its price estimate need. */
public record TrainableDataset(long id, String title, long ownerId, BigDecimal priceAic, long rowCount,
                               int featureCount) {
}
