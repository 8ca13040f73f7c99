-- Files participants download beside the training dataset: the test inputs (features, no labels, the same ids as
-- the solution) and the generated sample submission. Both are encrypted under the competition's data key; bytes and
-- rows are of the plaintext, as participants get it.
CREATE TABLE competition_files (
    competition_id BIGINT       NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    kind           VARCHAR(16)  NOT NULL CHECK (kind IN ('TEST_INPUTS', 'SAMPLE')),
    file_name      VARCHAR(255) NOT NULL,
    blob_key       VARCHAR(64)  NOT NULL,
    bytes          BIGINT       NOT NULL CHECK (bytes > 0),
    rows           INT          NOT NULL CHECK (rows > 0),
    PRIMARY KEY (competition_id, kind)
);

-- A host may close a competition before its announced end, with a reason shown on its page. ends_at stays as
-- announced: the prize escrow holds the pool until that time whatever happens here.
ALTER TABLE competitions
    ADD COLUMN closed_at    TIMESTAMPTZ,
    ADD COLUMN close_reason VARCHAR(500),
    ADD CONSTRAINT competitions_closed_with_reason
        CHECK ((closed_at IS NULL) = (close_reason IS NULL) AND (closed_at IS NULL OR closed_at < ends_at));

-- Each rescoring after the host fixed the solution: why, how many submissions were scored again, and what changed on
-- the leaderboards (JSON list of {board, team, rankBefore, rankAfter, scoreBefore, scoreAfter}; private scores only
-- for a final board, which exists only once the competition is finalized).
CREATE TABLE competition_rescores (
    id             BIGSERIAL    PRIMARY KEY,
    competition_id BIGINT       NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    at             TIMESTAMPTZ  NOT NULL,
    reason         VARCHAR(500) NOT NULL,
    rescored       INT          NOT NULL,
    changes        JSONB        NOT NULL
);
CREATE INDEX competition_rescores_competition ON competition_rescores (competition_id, at DESC);
