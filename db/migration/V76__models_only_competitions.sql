-- A code competition: participants submit models only, and its test inputs (and sample submission) stay with the
-- host and the plaza, which runs each model on them, as in Kaggle's code competitions.
ALTER TABLE competitions ADD COLUMN models_only boolean NOT NULL DEFAULT false;
