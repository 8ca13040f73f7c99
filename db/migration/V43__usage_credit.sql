-- Prepaid usage credit in UsageCredit (issue 14), one account per depositing wallet, kept from confirmed logs,
-- with what the plaza debited off-chain. Owned by the serving module (serving.internal.CreditLedger).
--   available = deposited - withdrawn - debited - pending withdrawal
-- debited counts every charge (settled or not), settled those whose batch's UsageSettled log is confirmed, so the
-- on-chain balance is deposited - withdrawn - settled. A charge is taken only by a conditional update of this row
-- (never beyond what is available), in the transaction that records the call.
CREATE TABLE credit_accounts (
    wallet                 VARCHAR(42)    PRIMARY KEY,
    user_id                BIGINT         REFERENCES users (id),  -- null until the wallet is linked to a member
    deposited_wei          NUMERIC(78, 0) NOT NULL DEFAULT 0 CHECK (deposited_wei >= 0),
    withdrawn_wei          NUMERIC(78, 0) NOT NULL DEFAULT 0 CHECK (withdrawn_wei >= 0),
    debited_wei            NUMERIC(78, 0) NOT NULL DEFAULT 0 CHECK (debited_wei >= 0),
    settled_wei            NUMERIC(78, 0) NOT NULL DEFAULT 0 CHECK (settled_wei >= 0),
    pending_withdrawal_wei NUMERIC(78, 0) NOT NULL DEFAULT 0 CHECK (pending_withdrawal_wei >= 0),
    withdrawable_at        TIMESTAMPTZ,
    withdrawal_request_tx  VARCHAR(66),
    updated_at             TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX credit_accounts_by_user ON credit_accounts (user_id);

-- The confirmed logs applied to the accounts, once each; a reorganisation undoes what its log row says.
CREATE TABLE credit_logs (
    tx_hash    VARCHAR(66)    NOT NULL,
    log_index  INT            NOT NULL,
    wallet     VARCHAR(42)    NOT NULL REFERENCES credit_accounts (wallet),
    kind       VARCHAR(10)    NOT NULL CHECK (kind IN ('DEPOSIT', 'REQUEST', 'WITHDRAWAL')),
    amount_wei NUMERIC(78, 0) NOT NULL CHECK (amount_wei >= 0),
    created_at TIMESTAMPTZ    NOT NULL DEFAULT now(),
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX credit_logs_by_wallet ON credit_logs (wallet, created_at);

-- Settlement batches: their id is the batch id on-chain, their entries fixed when the batch is made, so a batch
-- sent again (a retry, or after a reorganisation dropped it) is the same batch, which UsageCredit settles once.
CREATE TABLE credit_batches (
    id            BIGSERIAL      PRIMARY KEY,
    state         VARCHAR(4)     NOT NULL DEFAULT 'DUE' CHECK (state IN ('DUE', 'DONE')),
    total_wei     NUMERIC(78, 0) NOT NULL CHECK (total_wei > 0),
    fee_wei       NUMERIC(78, 0),
    shortfall_wei NUMERIC(78, 0),
    tx_hash       VARCHAR(66),
    log_index     INT,
    created_at    TIMESTAMPTZ    NOT NULL DEFAULT now(),
    checked_at    TIMESTAMPTZ,
    settled_at    TIMESTAMPTZ
);
CREATE INDEX credit_batches_due ON credit_batches (checked_at NULLS FIRST, id) WHERE state = 'DUE';

CREATE TABLE credit_batch_entries (
    batch_id     BIGINT         NOT NULL REFERENCES credit_batches (id),
    position     INT            NOT NULL,
    payer_wallet VARCHAR(42)    NOT NULL REFERENCES credit_accounts (wallet),
    payee_wallet VARCHAR(42)    NOT NULL,
    amount_wei   NUMERIC(78, 0) NOT NULL CHECK (amount_wei > 0),
    PRIMARY KEY (batch_id, position)
);

-- One row per charged call: who paid (wallet and member), whom it is owed to (the model's owner at the call), and
-- the batch that settles it (null until one is made; a payee without a wallet waits until they link one).
CREATE TABLE credit_charges (
    id           BIGSERIAL      PRIMARY KEY,
    payer_wallet VARCHAR(42)    NOT NULL REFERENCES credit_accounts (wallet),
    payee_id     BIGINT         NOT NULL REFERENCES users (id),
    model_id     BIGINT         NOT NULL REFERENCES listings (id),
    amount_wei   NUMERIC(78, 0) NOT NULL CHECK (amount_wei > 0),
    batch_id     BIGINT         REFERENCES credit_batches (id),
    created_at   TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX credit_charges_unbatched ON credit_charges (payee_id, id) WHERE batch_id IS NULL;
CREATE INDEX credit_charges_by_batch ON credit_charges (batch_id);
CREATE INDEX credit_charges_by_payer ON credit_charges (payer_wallet) WHERE batch_id IS NULL;
