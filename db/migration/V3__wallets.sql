-- Wallets linked to accounts by Sign-In with Ethereum (EIP-4361). An address belongs to one account.
CREATE TABLE wallet_links (
    address   CHAR(42)    PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
    user_id   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    linked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX wallet_links_user ON wallet_links (user_id);
