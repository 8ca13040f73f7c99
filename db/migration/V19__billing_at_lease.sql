-- A provider is paid for the work a job needs, not for the time its worker held the lease: the
-- offer's price and the worker's benchmarked training rate are fixed when the attempt is leased, and
-- the bill is that price for the attempt's time, at most twice the time the rate says the job needs.
ALTER TABLE job_attempts
    ADD COLUMN price_per_hour_aic NUMERIC(38, 18),
    ADD COLUMN rate_samples_per_s DOUBLE PRECISION;
