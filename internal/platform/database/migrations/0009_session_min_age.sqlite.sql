-- 0009: a session may ask for a least age (UNDERAGE below it).
ALTER TABLE `sessions` ADD COLUMN `min_age` integer NOT NULL DEFAULT 0;
