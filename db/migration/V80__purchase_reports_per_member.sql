-- Review L2: a purchase row is one member's report of a transaction, not the transaction's owner. With tx_hash unique,
-- whoever reported a hash first kept it and its buyer's own report was refused. The chain's log decides what was bought
-- and by whom (licenses, asset_sales); a report is confirmed only when its buyer's wallet is the log's.
ALTER TABLE purchases DROP CONSTRAINT purchases_tx_hash_key;
ALTER TABLE purchases ADD CONSTRAINT purchases_tx_hash_user_key UNIQUE (tx_hash, user_id);
CREATE INDEX purchases_by_tx ON purchases (tx_hash);
