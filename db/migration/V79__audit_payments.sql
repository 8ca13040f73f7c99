-- Audits are paid by the plaza (security review L7): an audit job has no deposit, so the escrow operator pays the
-- auditor from its own AIC float with a plain ERC-20 transfer. SENT: the transfer is signed and broadcast (tx_hash,
-- the latest transaction of its purpose), not yet confirmed; DONE once its receipt has the configured confirmations.
ALTER TABLE settlements
    DROP CONSTRAINT settlements_state_check,
    ADD CONSTRAINT settlements_state_check CHECK (state IN ('DUE', 'HELD_NO_WALLET', 'SENT', 'ABANDONED', 'DONE')),
    DROP CONSTRAINT settlements_log_when_ended,
    ADD CONSTRAINT settlements_log_when_ended CHECK ((state IN ('SENT', 'DONE', 'ABANDONED')) = (tx_hash IS NOT NULL));
CREATE INDEX settlements_sent ON settlements (id) WHERE state = 'SENT';

-- The transactions a purpose's transaction replaced (same nonce, higher fees): one of them may be mined instead of
-- its replacement, and is then the purpose's transaction. A plain transfer has no on-chain record to tell it was
-- paid, so without them a mined original would look lost and be paid again.
ALTER TABLE chain_transactions ADD COLUMN replaced CHAR(66)[] NOT NULL DEFAULT '{}';
