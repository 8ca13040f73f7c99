-- Competition phases (e.g. development, then final): each has its own dates, daily quota, hidden solution with its own
-- public/private split, test inputs and sample submission, leaderboards and final selection. Phases of a competition
-- are numbered from 1, do not overlap (the app checks, gaps are allowed) and lie inside the competition's start and end.
-- finalized_at: when the phase's final ranking was made; the competition's own finalized_at is set with its last
-- phase's, and the prizes are paid on that phase's private ranking.
CREATE TABLE competition_phases (
    id                  BIGSERIAL   PRIMARY KEY,
    competition_id      BIGINT      NOT NULL REFERENCES competitions (id) ON DELETE CASCADE,
    seq                 INT         NOT NULL CHECK (seq >= 1),
    name                VARCHAR(60) NOT NULL,
    opens_at            TIMESTAMPTZ NOT NULL,
    closes_at           TIMESTAMPTZ NOT NULL CHECK (closes_at > opens_at),
    submissions_per_day INT         NOT NULL CHECK (submissions_per_day > 0),
    public_percent      INT         NOT NULL CHECK (public_percent BETWEEN 1 AND 99),
    split_seed          BIGINT      NOT NULL,
    test_rows           INT         NOT NULL,
    solution_blob_key   VARCHAR(64) NOT NULL,
    finalized_at        TIMESTAMPTZ,
    UNIQUE (competition_id, seq)
);

-- Every existing competition is one phase, with what it had; nothing behaves differently for it.
INSERT INTO competition_phases (competition_id, seq, name, opens_at, closes_at, submissions_per_day, public_percent,
                                split_seed, test_rows, solution_blob_key, finalized_at)
SELECT id, 1, '', starts_at, ends_at, submissions_per_day, public_percent, split_seed, test_rows, solution_blob_key,
       finalized_at
FROM competitions;

ALTER TABLE competitions
    DROP COLUMN submissions_per_day,
    DROP COLUMN public_percent,
    DROP COLUMN split_seed,
    DROP COLUMN test_rows,
    DROP COLUMN solution_blob_key;

-- A submission belongs to the phase open when it was made.
ALTER TABLE submissions ADD COLUMN phase_id BIGINT REFERENCES competition_phases (id) ON DELETE CASCADE;
UPDATE submissions s SET phase_id = p.id FROM competition_phases p WHERE p.competition_id = s.competition_id;
ALTER TABLE submissions ALTER COLUMN phase_id SET NOT NULL;
CREATE INDEX submissions_phase ON submissions (phase_id, status);

-- Test inputs and sample submission per phase.
ALTER TABLE competition_files ADD COLUMN phase_id BIGINT REFERENCES competition_phases (id) ON DELETE CASCADE;
UPDATE competition_files f SET phase_id = p.id FROM competition_phases p WHERE p.competition_id = f.competition_id;
ALTER TABLE competition_files
    ALTER COLUMN phase_id SET NOT NULL,
    DROP CONSTRAINT competition_files_pkey,
    DROP COLUMN competition_id,
    ADD PRIMARY KEY (phase_id, kind);

-- A team's standing per phase.
ALTER TABLE team_standings ADD COLUMN phase_id BIGINT REFERENCES competition_phases (id) ON DELETE CASCADE;
UPDATE team_standings s SET phase_id = p.id FROM competition_phases p WHERE p.competition_id = s.competition_id;
DROP INDEX team_standings_public;
ALTER TABLE team_standings
    ALTER COLUMN phase_id SET NOT NULL,
    DROP CONSTRAINT team_standings_pkey,
    DROP COLUMN competition_id,
    ADD PRIMARY KEY (phase_id, team_id);
CREATE INDEX team_standings_public ON team_standings (phase_id, rank_score DESC, best_at, team_id);
CREATE INDEX team_standings_team ON team_standings (team_id);

ALTER TABLE best_score_history ADD COLUMN phase_id BIGINT REFERENCES competition_phases (id) ON DELETE CASCADE;
UPDATE best_score_history h SET phase_id = p.id FROM competition_phases p WHERE p.competition_id = h.competition_id;
DROP INDEX best_score_history_competition;
ALTER TABLE best_score_history ALTER COLUMN phase_id SET NOT NULL, DROP COLUMN competition_id;
CREATE INDEX best_score_history_phase ON best_score_history (phase_id, at);

-- A rescoring fixes one phase's solution.
ALTER TABLE competition_rescores ADD COLUMN phase_id BIGINT REFERENCES competition_phases (id) ON DELETE CASCADE;
UPDATE competition_rescores r SET phase_id = p.id FROM competition_phases p WHERE p.competition_id = r.competition_id;
ALTER TABLE competition_rescores ALTER COLUMN phase_id SET NOT NULL;
