-- Proof of Value (issue 17): closed epochs, every use judged (counted, or the rule that refused it),
-- scores by contribution, the allocation each rewarded wallet claims from the RewardsDistributor,
-- and repeat offenders' exclusions. An epoch's rows are written in the transaction that closes it.
CREATE TABLE reward_epochs (
    epoch          BIGINT          PRIMARY KEY CHECK (epoch > 0),
    starts_at      TIMESTAMPTZ     NOT NULL,
    ends_at        TIMESTAMPTZ     NOT NULL,
    closed_at      TIMESTAMPTZ     NOT NULL DEFAULT now(),
    total_score    BIGINT          NOT NULL,
    emission_wei   NUMERIC(78, 0)  NOT NULL,
    allocated_wei  NUMERIC(78, 0)  NOT NULL,
    merkle_root    CHAR(66),
    publish_tx     CHAR(66),
    published_at   TIMESTAMPTZ,
    claim_deadline TIMESTAMPTZ,
    expired        BOOLEAN         NOT NULL DEFAULT false,
    CHECK ((merkle_root IS NULL) = (allocated_wei = 0))
);
CREATE INDEX reward_epochs_to_publish ON reward_epochs (epoch) WHERE merkle_root IS NOT NULL AND published_at IS NULL;

CREATE TABLE contribution_uses (
    id                BIGSERIAL    PRIMARY KEY,
    epoch             BIGINT       NOT NULL REFERENCES reward_epochs (epoch),
    contribution_type VARCHAR(12)  NOT NULL,
    contribution_id   BIGINT       NOT NULL,
    owner_id          BIGINT       NOT NULL REFERENCES users (id),
    user_id           BIGINT       REFERENCES users (id),
    kind              VARCHAR(20)  NOT NULL,
    ref               VARCHAR(80)  NOT NULL,
    used_at           TIMESTAMPTZ  NOT NULL,
    points            INT          NOT NULL,
    rule              VARCHAR(20)
);
CREATE INDEX contribution_uses_by_contribution ON contribution_uses (contribution_type, contribution_id, epoch);

CREATE TABLE contribution_scores (
    epoch             BIGINT      NOT NULL REFERENCES reward_epochs (epoch),
    contribution_type VARCHAR(12) NOT NULL,
    contribution_id   BIGINT      NOT NULL,
    owner_id          BIGINT      NOT NULL REFERENCES users (id),
    score             BIGINT      NOT NULL CHECK (score > 0),
    rank              INT         NOT NULL,
    PRIMARY KEY (contribution_type, contribution_id, epoch)
);
CREATE INDEX contribution_scores_owner ON contribution_scores (owner_id, epoch);

CREATE TABLE reward_allocations (
    epoch      BIGINT         NOT NULL REFERENCES reward_epochs (epoch),
    leaf_index INT            NOT NULL CHECK (leaf_index >= 0),
    user_id    BIGINT         NOT NULL REFERENCES users (id),
    wallet     CHAR(42)       NOT NULL,
    amount_wei NUMERIC(78, 0) NOT NULL CHECK (amount_wei > 0),
    proof      TEXT           NOT NULL,
    claim_tx   CHAR(66),
    claimed_at TIMESTAMPTZ,
    PRIMARY KEY (epoch, leaf_index)
);
CREATE INDEX reward_allocations_user ON reward_allocations (user_id, epoch DESC);

CREATE TABLE reward_exclusions (
    user_id     BIGINT NOT NULL REFERENCES users (id),
    from_epoch  BIGINT NOT NULL,
    until_epoch BIGINT NOT NULL,
    uses        INT    NOT NULL,
    PRIMARY KEY (user_id, from_epoch)
);
