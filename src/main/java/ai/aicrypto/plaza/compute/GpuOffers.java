package ai.aicrypto.plaza.compute;

import java.math.BigDecimal;

/** Providers offering GPU capacity. */
public interface GpuOffers {

    /**
     * Registers an offer and a worker for it.
     *
     * @return the worker's bearer token: shown once, only its hash is kept
     */
    IssuedWorker register(long providerId, NewOffer offer);

    /**
     * Lets the provider's offer serve predictions at this price per GPU-second, or stop serving (null). Its workers
     * poll for calls (or are told to stop) within seconds.
     *
     * @throws ai.aicrypto.plaza.platform.NotFoundException  when the offer is not the provider's
     * @throws ai.aicrypto.plaza.platform.UserFacingException when the price is negative or not a valid AIC amount
     */
    void changeServingPrice(long providerId, long offerId, BigDecimal servingPricePerGpuSecondAic);

    /**
     * @param servingPricePerGpuSecondAic what a call served by the offer's workers costs per GPU-second of inference;
     *                                    null: the offer trains only
     */
    record NewOffer(String title, String gpuModel, int gpuMemoryMb, BigDecimal pricePerHourAic, String region,
                    BigDecimal servingPricePerGpuSecondAic) {

        /** An offer for training only. */
        public NewOffer(String title, String gpuModel, int gpuMemoryMb, BigDecimal pricePerHourAic, String region) {
            this(title, gpuModel, gpuMemoryMb, pricePerHourAic, region, null);
        }
    }

    record IssuedWorker(long offerId, long workerId, String token) {
    }
}
