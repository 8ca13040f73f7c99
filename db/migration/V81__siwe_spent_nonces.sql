-- Review L4: a Sign-In with Ethereum nonce travels in a sealed cookie, so asking for one stores nothing (it made an
-- anonymous session row per request). What the server keeps is the nonces already spent, until they expire anyway:
-- a message signed for a nonce serves once, on whichever instance it arrives.
CREATE TABLE siwe_spent_nonces (
    nonce      text        PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX siwe_spent_nonces_by_expiry ON siwe_spent_nonces (expires_at);
