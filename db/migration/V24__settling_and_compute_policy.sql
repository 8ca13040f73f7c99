-- A verified job paid through JobEscrow is SETTLING until the provider's payment is confirmed on-chain:
-- the requester sees the verified metrics, and the weights are handed over when it becomes SUCCEEDED.
ALTER TABLE training_jobs
    DROP CONSTRAINT training_jobs_status_check,
    ADD CONSTRAINT training_jobs_status_check
        CHECK (status IN ('AWAITING_DEPOSIT', 'QUEUED', 'LEASED', 'VERIFYING', 'SETTLING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
UPDATE training_jobs j SET status = 'SETTLING'
WHERE status = 'SUCCEEDED' AND EXISTS (SELECT 1 FROM settlements s
                                       WHERE s.job_id = j.id AND s.kind = 'PAY_PROVIDER' AND s.state <> 'DONE');

-- A paid dataset is trained on by someone else (a licensee) only on GPU offers with a verified record,
-- unless its owner allows offers without one: their providers receive the data while a job runs.
ALTER TABLE datasets ADD COLUMN unvetted_compute_allowed BOOLEAN NOT NULL DEFAULT false;

-- Audits never go to the network the audited work came from: each attempt records the address its
-- worker leased it from, and an audit excludes the networks (IPv4 /32, IPv6 /64) of the workers it
-- must not go to, as it excludes their providers.
ALTER TABLE job_attempts ADD COLUMN worker_address INET;
ALTER TABLE training_jobs ADD COLUMN excluded_networks CIDR[];
