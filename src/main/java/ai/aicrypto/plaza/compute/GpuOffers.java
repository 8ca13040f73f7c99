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

    record NewOffer(String title, String gpuModel, int gpuMemoryMb, BigDecimal pricePerHourAic, String region) {
    }

    record IssuedWorker(long offerId, long workerId, String token) {
    }
}
