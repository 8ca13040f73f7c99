-- AI commissions (issue 17): a bounty whose submissions are trained models. The requester gives a hidden test set
-- (test inputs and a solution id,target, as a competition's), a metric and the bar a model must reach; the plaza runs
-- each submitted model on the test inputs and scores it. Both files are stored encrypted under the commission's data
-- key and never shown to anyone. A commission has no license or price: its model's token moves to the requester.
ALTER TABLE bounties
    ADD COLUMN kind                 VARCHAR(10) NOT NULL DEFAULT 'DATA' CHECK (kind IN ('DATA', 'MODEL')),
    ADD COLUMN metric               VARCHAR(20),
    ADD COLUMN bar                  DOUBLE PRECISION,
    ADD COLUMN test_rows            INT CHECK (test_rows > 0),
    ADD COLUMN wrapped_data_key     BYTEA,
    ADD COLUMN solution_blob_key    VARCHAR(64),
    ADD COLUMN test_inputs_blob_key VARCHAR(64),
    ALTER COLUMN license DROP NOT NULL,
    ALTER COLUMN price_aic DROP NOT NULL,
    ADD CHECK ((kind = 'MODEL') = (metric IS NOT NULL AND bar IS NOT NULL AND test_rows IS NOT NULL
        AND wrapped_data_key IS NOT NULL AND solution_blob_key IS NOT NULL AND test_inputs_blob_key IS NOT NULL)),
    ADD CHECK (kind = 'MODEL' OR (license IS NOT NULL AND price_aic IS NOT NULL));

-- A developer's model scored for a commission, one per developer and commission. The score is the plaza's run on the
-- hidden test set at submission. creator_wallet and submitted_tx come only from the confirmed AssetSubmitted log of a
-- wallet linked to the developer, naming this model's token and the wallet that funded the commission: only then
-- can the requester accept it (the escrow moves only a token submitted on-chain).
CREATE TABLE commission_submissions (
    id             BIGSERIAL PRIMARY KEY,
    bounty_id      BIGINT           NOT NULL REFERENCES bounties (id) ON DELETE CASCADE,
    creator_id     BIGINT           NOT NULL REFERENCES users (id),
    model_id       BIGINT           NOT NULL REFERENCES listings (id),
    score          DOUBLE PRECISION NOT NULL,
    creator_wallet CHAR(42),
    submitted_tx   CHAR(66),
    submitted_log  INT,
    scored_at      TIMESTAMPTZ      NOT NULL DEFAULT now(),
    UNIQUE (bounty_id, creator_id),
    UNIQUE (bounty_id, model_id),
    CHECK ((creator_wallet IS NULL) = (submitted_tx IS NULL) AND (submitted_tx IS NULL) = (submitted_log IS NULL))
);
