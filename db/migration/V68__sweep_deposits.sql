-- One deposit per sweep (issue 19): an on-chain sweep's trials are paid from a single JobEscrow deposit, made under
-- the sweep's first trial's id for the sweep's whole budget. escrow_job_id names the job whose deposit pays a job
-- (every trial of such a sweep, the first included); NULL: the job's own deposit, if any. Each trial's verified cost
-- is released from that deposit to its provider (JobEscrow.release, the trial's id as the part), and the rest is
-- refunded once every trial has ended (compute.internal.EscrowSettlements).
ALTER TABLE training_jobs ADD COLUMN escrow_job_id BIGINT REFERENCES training_jobs (id);
CREATE INDEX training_jobs_escrow_job ON training_jobs (escrow_job_id) WHERE escrow_job_id IS NOT NULL;
