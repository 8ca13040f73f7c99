-- A token row is written when the plaza sends its mint, before a block holds it: the listing's panels offer
-- the token (a sale, a license listing) only once the mint's Transfer log is confirmed.
ALTER TABLE asset_tokens ADD COLUMN mint_confirmed BOOLEAN NOT NULL DEFAULT false;
UPDATE asset_tokens SET mint_confirmed = true;
