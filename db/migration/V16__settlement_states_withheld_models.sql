-- A settlement's state, so that the executor picks only what it can pay now (50 held or dead rows
-- used to fill its window and stop every later payment):
--   DUE             to be sent on-chain
--   HELD_NO_WALLET  the provider has no linked wallet; due again when they link one
--   ABANDONED       the requester reclaimed the escrow (JobReclaimed), nothing is left to pay
--   DONE            executed: its JobSettled / JobRefunded log is confirmed (tx_hash, log_index)
-- ABANDONED keeps the JobReclaimed log that ended it, so a reorganisation that drops the reclaim
-- makes the row due again.
ALTER TABLE settlements
    ADD COLUMN state      VARCHAR(16) NOT NULL DEFAULT 'DUE'
        CHECK (state IN ('DUE', 'HELD_NO_WALLET', 'ABANDONED', 'DONE')),
    -- When the executor last looked at the row: rows it could not send yet go to the back of the line.
    ADD COLUMN checked_at TIMESTAMPTZ;
UPDATE settlements SET state = 'DONE' WHERE executed_at IS NOT NULL;
ALTER TABLE settlements
    DROP CONSTRAINT settlements_executed_by_log,
    ADD CONSTRAINT settlements_done_by_log CHECK ((state = 'DONE') = (executed_at IS NOT NULL)),
    ADD CONSTRAINT settlements_log_when_ended CHECK ((state IN ('DONE', 'ABANDONED')) = (tx_hash IS NOT NULL));
DROP INDEX settlements_unexecuted;
CREATE INDEX settlements_due ON settlements (checked_at NULLS FIRST, created_at) WHERE state = 'DUE';

-- A model trained through a job paid in JobEscrow is the requester's only once the provider's payment
-- is settled on-chain (JobSettled): until then its weights are withheld (the verified metrics show).
ALTER TABLE models ADD COLUMN withheld BOOLEAN NOT NULL DEFAULT false;

-- When the depositor may reclaim a confirmed deposit (JobFunded's deadline): a job is leased only
-- while enough time is left before it to train and settle.
ALTER TABLE job_deposits ADD COLUMN reclaimable_at TIMESTAMPTZ;
