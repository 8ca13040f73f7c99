-- Training split keys never leave the app any more (TrainingSplits): a worker's lease carries a key of
-- its own, derived from the split's key and its id, which decrypts only what that worker downloads.
-- The training shards are re-encrypted under a fresh key as a new generation when the split is rotated
-- (a worker that received a key of it was rejected, or rotate() was called); the old generation's blobs
-- are deleted at once, and a job leased on it is queued again when its worker next downloads a shard.

-- The held-out split gets a key of its own (sealed like the training key). rotation_due: a worker of a
-- provider caught out held a key of the current generation; the next lease rotates the split first.
ALTER TABLE training_splits
    ADD COLUMN generation            INT     NOT NULL DEFAULT 1,
    ADD COLUMN validation_sealed_key BYTEA,
    ADD COLUMN rotation_due          BOOLEAN NOT NULL DEFAULT false;
-- Splits made before: workers received their key, which encrypts the held-out split too. Both are
-- re-keyed at the split's next lease.
UPDATE training_splits SET validation_sealed_key = sealed_key, rotation_due = true;
ALTER TABLE training_splits
    ALTER COLUMN generation DROP DEFAULT,
    ALTER COLUMN validation_sealed_key SET NOT NULL;

-- A generation's shards are new rows (the old generation's are deleted when the new one is current).
ALTER TABLE training_split_shards ADD COLUMN generation INT NOT NULL DEFAULT 1;
ALTER TABLE training_split_shards ALTER COLUMN generation DROP DEFAULT;
ALTER TABLE training_split_shards DROP CONSTRAINT training_split_shards_pkey;
ALTER TABLE training_split_shards ADD PRIMARY KEY (dataset_id, generation, seq);

-- The generation whose worker key the attempt's lease carried (NULL: leased before this migration,
-- treated as a stale generation).
ALTER TABLE job_attempts ADD COLUMN split_generation INT;
