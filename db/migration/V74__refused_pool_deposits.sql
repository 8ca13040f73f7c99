-- A training pool's deposit from its owner's own wallet that the plaza refuses (less than the pool, reclaimable too
-- early, or the pool funded already) is REFUSED and sent back at once (JobEscrow.refund by the operator), instead of
-- staying in the escrow until its deadline. RETURNED once the refund's (or the owner's reclaim's) log is confirmed;
-- return_tx_hash names that log's transaction, so a reorganisation that drops it makes the deposit REFUSED again. The
-- reason is the message key's last part (competition.training-pool.refused.*).
ALTER TABLE job_deposits
    DROP CONSTRAINT job_deposits_status_check,
    ADD CONSTRAINT job_deposits_status_check
        CHECK (status IN ('PENDING', 'CONFIRMED', 'FAILED', 'EXPIRED', 'REFUSED', 'RETURNED')),
    ADD COLUMN return_tx_hash CHAR(66),
    -- The pool a refused deposit was meant for (job_id is the escrow id it was made under).
    ADD COLUMN pool_id BIGINT REFERENCES training_pools (id) ON UPDATE CASCADE ON DELETE CASCADE;
CREATE INDEX job_deposits_refused ON job_deposits (job_id) WHERE status = 'REFUSED';
CREATE INDEX job_deposits_by_pool ON job_deposits (pool_id) WHERE pool_id IS NOT NULL;

-- The escrow takes one deposit per wallet and id, ever (a refunded one included): a pool awaiting its deposit takes a
-- new id when its owner's deposit is refused, so that the owner's wallet can fund it after all. Its competition follows.
ALTER TABLE data_competitions
    DROP CONSTRAINT data_competitions_training_pool_id_fkey,
    ADD CONSTRAINT data_competitions_training_pool_id_fkey
        FOREIGN KEY (training_pool_id) REFERENCES training_pools (id) ON UPDATE CASCADE;
