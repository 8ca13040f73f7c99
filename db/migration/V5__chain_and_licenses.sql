-- The chain watcher's progress: the next block to read, per watched stream of logs.
CREATE TABLE chain_cursors (
    name            VARCHAR(40) PRIMARY KEY,
    next_block      BIGINT      NOT NULL CHECK (next_block >= 0),
    -- Hash of block next_block - 1 when it was read: a different hash there now means a reorganisation.
    last_block_hash CHAR(66)
);

-- Every contract log the plaza acted on, once: (tx hash, log index) makes handling idempotent, the
-- block hash lets the watcher notice a reorganisation that dropped it.
CREATE TABLE chain_logs (
    tx_hash      CHAR(66)    NOT NULL,
    log_index    INT         NOT NULL,
    block_number BIGINT      NOT NULL,
    block_hash   CHAR(66)    NOT NULL,
    event        VARCHAR(40) NOT NULL,
    reverted     BOOLEAN     NOT NULL DEFAULT false,
    seen_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_logs_recent ON chain_logs (block_number) WHERE NOT reverted;

-- Asset tokens (ERC-721, token id = listing id) minted by the plaza to their owners' wallets, and
-- the license price the owner set on-chain.
CREATE TABLE asset_tokens (
    listing_id        BIGINT PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    owner_address     CHAR(42)        NOT NULL,
    mint_tx           CHAR(66),
    license_price_wei NUMERIC(78, 0),
    updated_at        TIMESTAMPTZ     NOT NULL DEFAULT now()
);

-- Licenses: a paid one exists only from a confirmed LicensePurchased log; a free one from a click.
CREATE TABLE licenses (
    id            BIGSERIAL PRIMARY KEY,
    listing_id    BIGINT         NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    user_id       BIGINT         REFERENCES users (id) ON DELETE CASCADE,
    buyer_address CHAR(42),
    price_wei     NUMERIC(78, 0) NOT NULL DEFAULT 0,
    fee_wei       NUMERIC(78, 0) NOT NULL DEFAULT 0,
    tx_hash       CHAR(66),
    log_index     INT,
    chain_license BIGINT,
    revoked       BOOLEAN        NOT NULL DEFAULT false,
    granted_at    TIMESTAMPTZ    NOT NULL DEFAULT now(),
    CHECK ((tx_hash IS NULL) = (log_index IS NULL)),
    CHECK (user_id IS NOT NULL OR buyer_address IS NOT NULL),
    UNIQUE (tx_hash, log_index)
);
CREATE UNIQUE INDEX licenses_free_once ON licenses (listing_id, user_id) WHERE tx_hash IS NULL;
CREATE INDEX licenses_holder ON licenses (user_id, listing_id) WHERE NOT revoked;
CREATE INDEX licenses_wallet ON licenses (buyer_address) WHERE user_id IS NULL;

-- Purchases a browser says it sent: shown as pending until the watcher confirms them, or until
-- the receipt shows a revert, or the timeout passes. They never grant anything by themselves.
CREATE TABLE purchases (
    id            BIGSERIAL PRIMARY KEY,
    user_id       BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    listing_id    BIGINT      NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    buyer_address CHAR(42)    NOT NULL,
    tx_hash       CHAR(66)    NOT NULL UNIQUE,
    status        VARCHAR(12) NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'FAILED', 'EXPIRED')),
    reason        VARCHAR(200),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    settled_at    TIMESTAMPTZ
);
CREATE INDEX purchases_pending ON purchases (created_at) WHERE status = 'PENDING';
CREATE INDEX purchases_user ON purchases (user_id, listing_id, created_at DESC);
