-- Blobs stored ahead of the row that will name them (storage's PendingBlobs, their one owner). A key is committed
-- here before its blob is put in place and deleted in the transaction that records the blob where it belongs, so a
-- blob is never stored unknown. The instance writing it touches its keys every minute; a key untouched for minutes
-- was left by an instance that died between the two: a sweep deletes its blob, then the key.
CREATE TABLE pending_blobs (
    blob_key   VARCHAR(64) PRIMARY KEY,
    touched_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX pending_blobs_touched ON pending_blobs (touched_at);
