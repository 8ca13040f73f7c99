-- An upload being imported off the request thread (profile, preprocess, encrypt, store). The dataset's listing and
-- its datasets row are created only when the import ends READY, in the transaction that marks it so: nothing that
-- consumes datasets can see a PROCESSING or REFUSED one. Only DatasetImports changes a row's status.
CREATE TABLE dataset_imports (
    id           BIGSERIAL PRIMARY KEY,
    owner_id     BIGINT       NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title        VARCHAR(200) NOT NULL,
    file_name    VARCHAR(255) NOT NULL,
    status       VARCHAR(12)  NOT NULL DEFAULT 'PROCESSING' CHECK (status IN ('PROCESSING', 'READY', 'REFUSED')),
    -- Where a PROCESSING import is: QUEUED, HASHING, PROFILING, PREPROCESSING, ENCRYPTING; bytes of that step.
    step         VARCHAR(16)  NOT NULL DEFAULT 'QUEUED',
    bytes_done   BIGINT       NOT NULL DEFAULT 0,
    bytes_total  BIGINT       NOT NULL DEFAULT 0,
    rows_done    BIGINT,
    -- READY: the dataset it became. REFUSED: why, as a message key and its arguments, shown in the reader's language.
    listing_id   BIGINT       REFERENCES listings (id) ON DELETE SET NULL,
    reason_key   VARCHAR(100),
    reason_args  JSONB,
    -- Blobs written so far (encrypted), recorded as each is written: a refused or abandoned import deletes them.
    blob_keys    TEXT[]       NOT NULL DEFAULT '{}',
    -- The instance working on it (or holding it in its queue) touches this; one untouched for long was abandoned.
    heartbeat_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ,
    CHECK (status <> 'REFUSED' OR reason_key IS NOT NULL)
);
CREATE INDEX dataset_imports_processing ON dataset_imports (heartbeat_at) WHERE status = 'PROCESSING';
CREATE INDEX dataset_imports_owner ON dataset_imports (owner_id, created_at DESC);
