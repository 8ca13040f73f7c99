-- Proof of Value (issue 17) weighs the wallet that paid a use. A call charged to the caller's credit names the credit
-- account its model's price was charged to (serving's credit_accounts: one per wallet that deposited in UsageCredit,
-- from the confirmed Deposited logs), written with the charge; NULL for a call that charged the owner nothing.
ALTER TABLE model_calls ADD COLUMN payer_wallet VARCHAR(42);

-- Earlier calls: the charge recorded in the same transaction (same model, payee, amount and now()), of the caller's.
UPDATE model_calls c SET payer_wallet = ch.payer_wallet
FROM credit_charges ch JOIN credit_accounts a ON a.wallet = ch.payer_wallet
WHERE c.charged_wei > 0 AND ch.model_id = c.model_id AND ch.payee_id = c.owner_id AND ch.amount_wei = c.charged_wei
  AND ch.created_at = c.created_at AND a.user_id = c.caller_id;
