-- The creator's royalty on every resale of an asset token (ERC-2981), in basis points of the price, chosen at
-- publish: 0 to AssetRegistry.MAX_ROYALTY_BPS. It is written into the token at mint, and a token may be minted once
-- the listing is published, so it can change only until the first publication (published_once).
ALTER TABLE listings
    ADD COLUMN royalty_bps    INT      NOT NULL DEFAULT 0 CHECK (royalty_bps BETWEEN 0 AND 1000),
    ADD COLUMN published_once BOOLEAN  NOT NULL DEFAULT true;
UPDATE listings l SET published_once = false
WHERE l.status <> 'PUBLISHED' AND NOT EXISTS (SELECT 1 FROM asset_tokens t WHERE t.listing_id = l.id);

-- The royalty a token was minted with (null for tokens minted before royalties were chosen: none).
ALTER TABLE asset_tokens
    ADD COLUMN royalty_bps      INT CHECK (royalty_bps BETWEEN 0 AND 1000),
    ADD COLUMN royalty_receiver CHAR(42);

-- The ownership sale offer of an asset as the latest confirmed Marketplace log about it says (AssetOffered,
-- AssetOfferCancelled, AssetPurchased): price_wei null when none is open. Listeners may run out of order, so a log
-- is applied only when it is later on the chain (block, log index) than the one the row holds.
CREATE TABLE asset_offers (
    listing_id    BIGINT         PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    owner_address CHAR(42)       NOT NULL,
    price_wei     NUMERIC(78, 0) CHECK (price_wei > 0),
    block_number  BIGINT         NOT NULL,
    log_index     INT            NOT NULL,
    updated_at    TIMESTAMPTZ    NOT NULL DEFAULT now()
);

-- Ownership sales: one per confirmed AssetPurchased log (revoked when a reorganisation drops it).
CREATE TABLE asset_sales (
    id               BIGSERIAL      PRIMARY KEY,
    listing_id       BIGINT         NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    buyer_address    CHAR(42)       NOT NULL,
    seller_address   CHAR(42)       NOT NULL,
    price_wei        NUMERIC(78, 0) NOT NULL,
    fee_wei          NUMERIC(78, 0) NOT NULL,
    royalty_receiver CHAR(42),
    royalty_wei      NUMERIC(78, 0) NOT NULL,
    tx_hash          CHAR(66)       NOT NULL,
    log_index        INT            NOT NULL,
    revoked          BOOLEAN        NOT NULL DEFAULT false,
    sold_at          TIMESTAMPTZ    NOT NULL DEFAULT now(),
    UNIQUE (tx_hash, log_index)
);
CREATE INDEX asset_sales_listing ON asset_sales (listing_id, sold_at DESC);

-- A purchase sent from the browser's wallet buys a license or the asset itself.
ALTER TABLE purchases
    ADD COLUMN kind VARCHAR(9) NOT NULL DEFAULT 'LICENSE' CHECK (kind IN ('LICENSE', 'OWNERSHIP'));
DROP INDEX purchases_user;
CREATE INDEX purchases_user ON purchases (user_id, listing_id, kind, created_at DESC);
