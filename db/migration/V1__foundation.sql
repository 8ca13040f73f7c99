-- Accounts -------------------------------------------------------------------------------------
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      VARCHAR(40)  NOT NULL,
    email         VARCHAR(254) NOT NULL,
    display_name  VARCHAR(80)  NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_uq ON users (lower(username));
CREATE UNIQUE INDEX users_email_uq ON users (lower(email));

CREATE TABLE user_roles (
    user_id BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    VARCHAR(20) NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Listings: the common face of every tradable item (datasets, models; GPU offers later) ------
CREATE TABLE listings (
    id          BIGSERIAL PRIMARY KEY,
    kind        VARCHAR(16)    NOT NULL,
    owner_id    BIGINT         NOT NULL REFERENCES users (id),
    title       VARCHAR(140)   NOT NULL,
    description TEXT           NOT NULL DEFAULT '',
    tags        TEXT[]         NOT NULL DEFAULT '{}',
    license     VARCHAR(40)    NOT NULL,
    price_aic   NUMERIC(38, 18) NOT NULL DEFAULT 0 CHECK (price_aic >= 0),
    status      VARCHAR(16)    NOT NULL,
    created_at  TIMESTAMPTZ    NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ    NOT NULL DEFAULT now()
);
-- Keyset pagination: (created_at, id) descending within a kind, only published rows.
CREATE INDEX listings_browse_newest ON listings (kind, created_at DESC, id DESC) WHERE status = 'PUBLISHED';
CREATE INDEX listings_browse_price ON listings (kind, price_aic, id) WHERE status = 'PUBLISHED';
CREATE INDEX listings_browse_title ON listings (kind, lower(title), id) WHERE status = 'PUBLISHED';
CREATE INDEX listings_tags ON listings USING GIN (tags);
CREATE INDEX listings_owner ON listings (owner_id, updated_at DESC);

-- Datasets ----------------------------------------------------------------------------------------
CREATE TABLE datasets (
    listing_id       BIGINT PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    format           VARCHAR(8)  NOT NULL,
    original_name    VARCHAR(255) NOT NULL,
    label_column     VARCHAR(255),
    row_count        BIGINT      NOT NULL,
    feature_count    INT         NOT NULL,
    raw_bytes        BIGINT      NOT NULL,
    profile          JSONB       NOT NULL,
    wrapped_data_key BYTEA       NOT NULL
);

-- One row per stored encrypted blob of a dataset: the raw upload(s) and the preprocessed shards.
CREATE TABLE dataset_blobs (
    dataset_id BIGINT      NOT NULL REFERENCES datasets (listing_id) ON DELETE CASCADE,
    role       VARCHAR(16) NOT NULL,
    seq        INT         NOT NULL,
    blob_key   VARCHAR(64) NOT NULL,
    bytes      BIGINT      NOT NULL,
    rows       BIGINT,
    PRIMARY KEY (dataset_id, role, seq)
);

-- Models ------------------------------------------------------------------------------------------
CREATE TABLE models (
    listing_id    BIGINT PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    spec_version  VARCHAR(16) NOT NULL,
    task          VARCHAR(40) NOT NULL,
    card          JSONB       NOT NULL,
    weights_key   VARCHAR(64),
    weights_bytes BIGINT,
    -- Weights are encrypted at rest like datasets: a data key of their own, wrapped by the master key.
    wrapped_data_key BYTEA,
    CHECK ((weights_key IS NULL) = (wrapped_data_key IS NULL))
);

-- Spring Session JDBC (sessions shared by every instance) ----------------------------------------
CREATE TABLE spring_session (
    primary_id            CHAR(36) NOT NULL,
    session_id            CHAR(36) NOT NULL,
    creation_time         BIGINT   NOT NULL,
    last_access_time      BIGINT   NOT NULL,
    max_inactive_interval INT      NOT NULL,
    expiry_time           BIGINT   NOT NULL,
    principal_name        VARCHAR(100),
    CONSTRAINT spring_session_pk PRIMARY KEY (primary_id)
);
CREATE UNIQUE INDEX spring_session_ix1 ON spring_session (session_id);
CREATE INDEX spring_session_ix2 ON spring_session (expiry_time);
CREATE INDEX spring_session_ix3 ON spring_session (principal_name);

CREATE TABLE spring_session_attributes (
    session_primary_id CHAR(36)     NOT NULL,
    attribute_name     VARCHAR(200) NOT NULL,
    attribute_bytes    BYTEA        NOT NULL,
    CONSTRAINT spring_session_attributes_pk PRIMARY KEY (session_primary_id, attribute_name),
    CONSTRAINT spring_session_attributes_fk FOREIGN KEY (session_primary_id)
        REFERENCES spring_session (primary_id) ON DELETE CASCADE
);

-- Spring Modulith event publication registry: the outbox ------------------------------------------
CREATE TABLE event_publication (
    id                     UUID NOT NULL PRIMARY KEY,
    listener_id            TEXT NOT NULL,
    event_type             TEXT NOT NULL,
    serialized_event       TEXT NOT NULL,
    publication_date       TIMESTAMPTZ NOT NULL,
    completion_date        TIMESTAMPTZ,
    status                 TEXT,
    completion_attempts    INT,
    last_resubmission_date TIMESTAMPTZ
);
CREATE INDEX event_publication_serialized_event_hash_idx ON event_publication USING hash (serialized_event);
CREATE INDEX event_publication_by_completion_date_idx ON event_publication (completion_date);
