-- The decoded event of each log the plaza acted on, so that a reorganisation that drops the log can
-- tell its listeners exactly what to undo (the asset, the pool, the amounts), not only its name.
ALTER TABLE chain_logs ADD COLUMN payload JSONB;
