-- Data requests escrowed in BountyEscrow (issue 17). A request's money states (FUNDED, ACCEPTED, REFUNDED) are
-- written only from confirmed BountyEscrow logs of a wallet linked to the requester; AWAITING_FUNDING is where
-- every request starts. The escrow keys bounties by (requester wallet, request id), so requester_wallet is the
-- wallet whose BountyOpened log the plaza accepted: later logs of any other wallet are strangers' records.
CREATE TABLE bounties (
    id               BIGSERIAL PRIMARY KEY,
    requester_id     BIGINT         NOT NULL REFERENCES users (id),
    title            VARCHAR(140)   NOT NULL,
    description      TEXT           NOT NULL,
    expected_columns TEXT           NOT NULL,     -- comma-separated column names the data must have ('' = any)
    label_column     VARCHAR(100),                -- the label the data must carry, NULL = unlabelled data is fine
    min_rows         BIGINT         NOT NULL CHECK (min_rows BETWEEN 1 AND 1000000000),
    quality_bar      TEXT           NOT NULL,
    license          VARCHAR(40)    NOT NULL,     -- what the accepted dataset is published under (SPDX)
    price_aic        NUMERIC(30, 18) NOT NULL CHECK (price_aic >= 0), -- and at what price for others (0 = free)
    bounty_wei       NUMERIC(78, 0) NOT NULL CHECK (bounty_wei > 0),
    deadline         TIMESTAMPTZ    NOT NULL,
    status           VARCHAR(20)    NOT NULL DEFAULT 'AWAITING_FUNDING'
        CHECK (status IN ('AWAITING_FUNDING', 'FUNDED', 'ACCEPTED', 'REFUNDED')),
    requester_wallet CHAR(42),
    funded_tx        CHAR(66),
    funded_log       INT,
    creator_wallet   CHAR(42),
    accepted_listing BIGINT REFERENCES listings (id),
    paid_wei         NUMERIC(78, 0),
    fee_wei          NUMERIC(78, 0),
    closed_tx        CHAR(66),                    -- the BountyAccepted or BountyRefunded log
    closed_log       INT,
    closed_at        TIMESTAMPTZ,
    created_at       TIMESTAMPTZ    NOT NULL DEFAULT now(),
    CHECK ((status = 'AWAITING_FUNDING') = (funded_tx IS NULL))
);
CREATE INDEX bounties_open ON bounties (deadline) WHERE status IN ('AWAITING_FUNDING', 'FUNDED');
CREATE INDEX bounties_requester ON bounties (requester_id);
CREATE INDEX bounties_creator_wallet ON bounties (creator_wallet) WHERE status = 'ACCEPTED';

-- A creator's dataset offered to a request: one per creator and request (the escrow pays a creator's wallet, so
-- its acceptance names the submission unambiguously). The automatic check is computed from the dataset when shown.
CREATE TABLE bounty_submissions (
    id           BIGSERIAL PRIMARY KEY,
    bounty_id    BIGINT      NOT NULL REFERENCES bounties (id) ON DELETE CASCADE,
    creator_id   BIGINT      NOT NULL REFERENCES users (id),
    listing_id   BIGINT      NOT NULL REFERENCES listings (id),
    submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (bounty_id, creator_id)
);
