-- What a model's owner decides about its API (issue 14): who may call it (the owner alone, licensees, or every
-- member) and its price per 1,000 predictions in AIC (0 = free). Existing models stay open to members, free.
ALTER TABLE models
    ADD COLUMN api_visibility VARCHAR(9) NOT NULL DEFAULT 'PUBLIC'
        CHECK (api_visibility IN ('PRIVATE', 'LICENSEES', 'PUBLIC')),
    ADD COLUMN api_price_per_1000_aic NUMERIC(30, 18) NOT NULL DEFAULT 0
        CHECK (api_price_per_1000_aic >= 0 AND api_price_per_1000_aic <= 1000000);

-- Every call is metered: the API token it came with (null from the page), the owner it was answered for (the
-- payee, kept as it was at the call), the price in force and what the caller's credit was charged, in AIC wei,
-- written in the transaction that debits the credit.
ALTER TABLE model_calls
    ADD COLUMN token_id BIGINT REFERENCES api_tokens (id) ON DELETE SET NULL,
    ADD COLUMN owner_id BIGINT REFERENCES users (id),
    ADD COLUMN price_per_1000_aic NUMERIC(30, 18) NOT NULL DEFAULT 0,
    ADD COLUMN charged_wei NUMERIC(78, 0) NOT NULL DEFAULT 0 CHECK (charged_wei >= 0);
UPDATE model_calls c SET owner_id = l.owner_id FROM listings l WHERE l.id = c.model_id;
ALTER TABLE model_calls ALTER COLUMN owner_id SET NOT NULL;
CREATE INDEX model_calls_by_owner ON model_calls (owner_id, created_at);
