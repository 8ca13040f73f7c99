-- The Coin Payroll (issue 17) reads each source's own records; two facts it needs were not kept.
-- The wallet a license's price was paid to (LicensePurchased.owner): the listing may change hands after the sale, and
-- the money went to whoever held the token then. Null for licenses recorded before: they are credited to the owner.
ALTER TABLE licenses ADD COLUMN seller_address CHAR(42);

-- The fee JobEscrow took from a provider's payment (JobSettled.fee), kept with the settlement its log completed.
-- Null until then (and for payments settled before it was kept).
ALTER TABLE settlements ADD COLUMN fee_wei NUMERIC(78, 0) CHECK (fee_wei >= 0);

-- Earnings by payee: licenses by the wallet paid, ownership sales by seller and royalty receiver.
CREATE INDEX licenses_seller ON licenses (seller_address) WHERE tx_hash IS NOT NULL;
CREATE INDEX licenses_unattributed ON licenses (listing_id) WHERE tx_hash IS NOT NULL AND seller_address IS NULL;
CREATE INDEX asset_sales_seller ON asset_sales (seller_address);
CREATE INDEX asset_sales_royalty ON asset_sales (royalty_receiver) WHERE royalty_wei > 0;
CREATE INDEX settlements_payee ON settlements (user_id) WHERE kind = 'PAY_PROVIDER';
CREATE INDEX credit_charges_payee ON credit_charges (payee_id, created_at);
