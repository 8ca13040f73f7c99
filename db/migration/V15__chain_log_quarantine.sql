-- Contract logs the plaza could not act on (an id outside its range, a time no calendar holds, a
-- deposit from a stranger for someone else's job): recorded once each, shown to admins, and
-- skipped, so the watcher's cursor moves on instead of stopping at them. Raw topics and data are
-- kept when the watcher refused the log; a listener that refused a decoded log keeps its fields.
CREATE TABLE chain_logs_quarantined (
    tx_hash      CHAR(66)     NOT NULL,
    log_index    INT          NOT NULL,
    block_number BIGINT,
    contract     CHAR(42),
    event        VARCHAR(40)  NOT NULL,
    topics       TEXT[],
    data         TEXT         NOT NULL,
    reason       TEXT         NOT NULL,
    recorded_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_logs_quarantined_recent ON chain_logs_quarantined (recorded_at DESC);
