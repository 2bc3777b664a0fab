-- 0010: what each session check does for the account (decline, review, ignore).
ALTER TABLE `accounts` ADD COLUMN `check_policy` text NOT NULL DEFAULT "";
