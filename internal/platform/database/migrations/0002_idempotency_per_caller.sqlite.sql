-- 0002: an Idempotency-Key is the caller's (an API key, or one session's
-- token), not the whole account's: one end user's token replayed another
-- session's stored answer. Old rows (caller '') expire within 24 h.
ALTER TABLE `idempotency_keys` ADD COLUMN `caller` text NOT NULL DEFAULT "";
DROP INDEX `idx_idem_account_key`;
CREATE UNIQUE INDEX `idx_idem_account_key` ON `idempotency_keys`(`account_id`,`caller`,`key`);
