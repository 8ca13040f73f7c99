-- A training split's blobs are stored in the plaza's segmented format (DataKeys: AES-256-GCM in 1 MiB segments) under
-- a data key of the generation, so a shard download and a rotation stream them instead of reading a whole shard (up to
-- 64 MB) and decrypting it at once. Generations made before keep their one-nonce blobs (sealed_key and
-- validation_sealed_key) until they are rotated; new ones have a wrapped data key and no held-out key of their own.
ALTER TABLE training_splits
    ADD COLUMN wrapped_data_key BYTEA,
    ALTER COLUMN validation_sealed_key DROP NOT NULL,
    ADD CONSTRAINT training_splits_one_blob_format CHECK ((wrapped_data_key IS NULL) <> (validation_sealed_key IS NULL));

COMMENT ON COLUMN training_split_shards.bytes IS 'The shard as a worker receives it: nonce, ciphertext and tag';
