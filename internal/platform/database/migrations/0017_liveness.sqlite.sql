-- 0017: liveness: what a session asks for (none, passive, active), its
-- challenge (nonce, steps) and verdict; the account's default.
ALTER TABLE `sessions` ADD COLUMN `liveness` text NOT NULL DEFAULT "";
ALTER TABLE `sessions` ADD COLUMN `liveness_nonce` text NOT NULL DEFAULT "";
ALTER TABLE `sessions` ADD COLUMN `liveness_steps` text NOT NULL DEFAULT "";
ALTER TABLE `sessions` ADD COLUMN `liveness_result` text NOT NULL DEFAULT "";
ALTER TABLE `accounts` ADD COLUMN `liveness_default` text NOT NULL DEFAULT "none";
