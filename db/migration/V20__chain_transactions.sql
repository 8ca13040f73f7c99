-- Every transaction the plaza signs, one row per purpose (settle job 42 of this requester, finalize
-- competition 7, ...): signed and recorded before it is broadcast, so a crash never makes it send
-- the same purpose twice; a transaction not mined in time is replaced with the same nonce and higher
-- fees, one that vanished is broadcast again as it was signed.
CREATE TABLE chain_transactions (
    purpose                  VARCHAR(200)   PRIMARY KEY,
    signer                   CHAR(42)       NOT NULL,
    nonce                    BIGINT         NOT NULL,
    to_address               CHAR(42)       NOT NULL,
    data                     TEXT           NOT NULL,
    gas_limit                NUMERIC(78, 0) NOT NULL,
    max_fee_per_gas          NUMERIC(78, 0) NOT NULL,
    max_priority_fee_per_gas NUMERIC(78, 0) NOT NULL,
    raw                      TEXT           NOT NULL,
    tx_hash                  CHAR(66)       NOT NULL,
    sends                    INT            NOT NULL DEFAULT 1,
    sent_at                  TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX chain_transactions_by_signer ON chain_transactions (signer, nonce);
