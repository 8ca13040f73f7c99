-- Leases of scheduled work (ShedLock's JDBC provider): a task runs on the instance that holds its
-- row, until lock_until (UTC, the database's clock, so instances whose clocks differ still agree).
-- A task's row is written at its first run; the columns are the ones ShedLock reads and writes.
CREATE TABLE shedlock (
    name       VARCHAR(64)  PRIMARY KEY,
    lock_until TIMESTAMP    NOT NULL,
    locked_at  TIMESTAMP    NOT NULL,
    locked_by  VARCHAR(255) NOT NULL
);
