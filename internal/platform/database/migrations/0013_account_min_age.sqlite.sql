-- 0013: the least age an account's sessions ask for by default.
ALTER TABLE `accounts` ADD COLUMN `min_age` integer NOT NULL DEFAULT 0;
