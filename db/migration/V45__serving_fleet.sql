-- Serving on the GPU fleet (issue 14). An offer opts into serving predictions with a price per GPU-second of
-- inference; NULL keeps it to training only.
ALTER TABLE gpu_offers
    ADD COLUMN serving_price_per_gpu_second_aic NUMERIC(38, 18) CHECK (serving_price_per_gpu_second_aic >= 0);

-- Who answered each call: a serving worker (worker_id, its provider, the GPU-seconds metered for the call and what
-- the caller was charged for them), or the plaza itself (worker_id NULL, nothing metered for a provider).
ALTER TABLE model_calls
    ADD COLUMN worker_id           BIGINT REFERENCES workers (id) ON DELETE SET NULL,
    ADD COLUMN provider_id         BIGINT REFERENCES users (id),
    ADD COLUMN cold_start          BOOLEAN          NOT NULL DEFAULT false,
    ADD COLUMN gpu_seconds         DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (gpu_seconds >= 0),
    ADD COLUMN serving_charged_wei NUMERIC(78, 0)   NOT NULL DEFAULT 0 CHECK (serving_charged_wei >= 0);
CREATE INDEX model_calls_by_provider ON model_calls (provider_id, created_at) WHERE provider_id IS NOT NULL;
