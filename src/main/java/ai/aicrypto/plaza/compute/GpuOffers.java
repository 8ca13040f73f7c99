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
