-- Personal API tokens (account module): only the SHA-256 of a token is stored; it is shown once.
CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         VARCHAR(80) NOT NULL,
    token_sha256 CHAR(64)    NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Competitions ------------------------------------------------------------------------------------
-- The solution (hidden test labels) is an encrypted blob under the competition's own data key.
CREATE TABLE competitions (
    id                  BIGSERIAL PRIMARY KEY,
    slug                VARCHAR(60)     NOT NULL UNIQUE,
    host_id             BIGINT          NOT NULL REFERENCES users (id),
    title               VARCHAR(140)    NOT NULL,
    overview            TEXT            NOT NULL DEFAULT '',
    rules               TEXT            NOT NULL DEFAULT '',
    dataset_id          BIGINT          REFERENCES listings (id),
    data_description    TEXT            NOT NULL DEFAULT '',
    metric              VARCHAR(16)     NOT NULL,
    public_percent      INT             NOT NULL CHECK (public_percent BETWEEN 1 AND 99),
    split_seed          BIGINT          NOT NULL,
    test_rows           INT             NOT NULL,
    solution_blob_key   VARCHAR(64)     NOT NULL,
    wrapped_data_key    BYTEA           NOT NULL,
    starts_at           TIMESTAMPTZ     NOT NULL,
    ends_at             TIMESTAMPTZ     NOT NULL CHECK (ends_at > starts_at),
    merge_deadline      TIMESTAMPTZ     NOT NULL,
    submissions_per_day INT             NOT NULL CHECK (submissions_per_day > 0),
    final_selections    INT             NOT NULL CHECK (final_selections > 0),
    max_team_size       INT             NOT NULL CHECK (max_team_size > 0),
    prize_pool_aic      NUMERIC(38, 18) NOT NULL DEFAULT 0 CHECK (prize_pool_aic >= 0),
    -- Percentages for rank 1, 2, ...; they sum to 100 (checked by the app).
    prize_split         INT[]           NOT NULL DEFAULT '{}',
    finalized_at        TIMESTAMPTZ,
    created_at          TIMESTAMPTZ     NOT NULL DEFAULT now()
);
CREATE INDEX competitions_by_end ON competitions (ends_at DESC, id DESC);

CREATE TABLE teams (
    id             BIGSERIAL PRIMARY KEY,
    competition_id BIGINT      NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    name           VARCHAR(80) NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX teams_competition ON teams (competition_id);

-- One row per participant; joining creates a team of one, a merge moves members to another team.
CREATE TABLE participants (
    competition_id BIGINT      NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    user_id        BIGINT      NOT NULL REFERENCES users (id),
    team_id        BIGINT      NOT NULL REFERENCES teams (id),
    joined_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (competition_id, user_id)
);
CREATE INDEX participants_team ON participants (team_id);

-- A team invites another team (through one of its members) to merge into it.
CREATE TABLE team_invites (
    id           BIGSERIAL PRIMARY KEY,
    from_team_id BIGINT      NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    to_team_id   BIGINT      NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (from_team_id, to_team_id)
);

-- Submissions: baselines (the host's, team_id NULL) are scored but never ranked. private_score is
-- written when scored and read only once the competition is finalized.
CREATE TABLE submissions (
    id                 BIGSERIAL PRIMARY KEY,
    competition_id     BIGINT       NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    team_id            BIGINT       REFERENCES teams (id),
    submitter_id       BIGINT       NOT NULL REFERENCES users (id),
    baseline           BOOLEAN      NOT NULL DEFAULT false,
    description        VARCHAR(500) NOT NULL DEFAULT '',
    file_name          VARCHAR(255) NOT NULL,
    blob_key           VARCHAR(64)  NOT NULL,
    wrapped_data_key   BYTEA        NOT NULL,
    status             VARCHAR(8)   NOT NULL,
    failure            VARCHAR(500),
    public_score       DOUBLE PRECISION,
    private_score      DOUBLE PRECISION,
    selected           BOOLEAN      NOT NULL DEFAULT false,
    created_at         TIMESTAMPTZ  NOT NULL,
    scoring_started_at TIMESTAMPTZ,
    scored_at          TIMESTAMPTZ,
    CHECK (baseline = (team_id IS NULL))
);
CREATE INDEX submissions_team ON submissions (team_id, created_at);
CREATE INDEX submissions_pending ON submissions (status, created_at) WHERE status IN ('QUEUED', 'SCORING');
CREATE INDEX submissions_baselines ON submissions (competition_id) WHERE baseline;

-- The leaderboard, kept up to date as submissions are scored, so showing it is one indexed range
-- scan however many submissions there are. rank_score is the public score turned so that higher is
-- better (negated for lower-is-better metrics); ties go to the earlier submission (best_at).
CREATE TABLE team_standings (
    team_id             BIGINT           PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    competition_id      BIGINT           NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    best_public_score   DOUBLE PRECISION NOT NULL,
    rank_score          DOUBLE PRECISION NOT NULL,
    best_at             TIMESTAMPTZ      NOT NULL,
    entries             INT              NOT NULL,
    last_submission_at  TIMESTAMPTZ      NOT NULL,
    final_private_score DOUBLE PRECISION,
    final_rank_score    DOUBLE PRECISION,
    final_at            TIMESTAMPTZ
);
CREATE INDEX team_standings_public ON team_standings (competition_id, rank_score DESC, best_at, team_id);

-- Each time the best public score of a competition improves: the chart of the best score over time.
CREATE TABLE best_score_history (
    competition_id BIGINT           NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    at             TIMESTAMPTZ      NOT NULL,
    public_score   DOUBLE PRECISION NOT NULL,
    rank_score     DOUBLE PRECISION NOT NULL
);
CREATE INDEX best_score_history_competition ON best_score_history (competition_id, at);
