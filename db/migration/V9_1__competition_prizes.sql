-- Competition prize pools held by the CompetitionEscrow contract, as its confirmed logs report them.
-- A funding that does not match the competition as announced (wrong host wallet, smaller pool,
-- other split or times) is kept with the problem, so that the host sees why it does not count.
CREATE TABLE prize_pools (
    competition_id BIGINT         PRIMARY KEY REFERENCES competitions (id) ON DELETE CASCADE,
    host_wallet    CHAR(42)       NOT NULL,
    pool_wei       NUMERIC(78, 0) NOT NULL,
    status         VARCHAR(12)    NOT NULL CHECK (status IN ('FUNDED', 'MISMATCH', 'CANCELLED', 'RECLAIMED')),
    problem        TEXT,
    tx_hash        CHAR(66)       NOT NULL,
    log_index      INT            NOT NULL,
    -- When the operator's finalize transaction was sent (its PrizePaid / PrizeHeld logs follow).
    finalize_sent_at TIMESTAMPTZ,
    funded_at      TIMESTAMPTZ    NOT NULL DEFAULT now()
);

-- One row per paid place, written before the finalize transaction is sent: which team won it and
-- where its prize went (wallet null while held, until the team has a wallet and it is assigned).
CREATE TABLE prize_payouts (
    competition_id BIGINT         NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    place          INT            NOT NULL CHECK (place >= 0),
    team_id        BIGINT         REFERENCES teams (id) ON DELETE SET NULL,
    amount_wei     NUMERIC(78, 0),
    wallet         CHAR(42),
    held           BOOLEAN        NOT NULL DEFAULT false,
    assign_sent_at TIMESTAMPTZ,
    tx_hash        CHAR(66),
    log_index      INT,
    paid_at        TIMESTAMPTZ,
    PRIMARY KEY (competition_id, place)
);
CREATE INDEX prize_payouts_held ON prize_payouts (competition_id) WHERE held AND paid_at IS NULL;
