-- 0011: a session's document found again by the account's keyed blind
-- index; how many sessions one document may open in 24 h.
ALTER TABLE `sessions` ADD COLUMN `doc_index` text NOT NULL DEFAULT "";
CREATE INDEX `idx_session_doc_index` ON `sessions`(`doc_index`);
ALTER TABLE `accounts` ADD COLUMN `document_velocity` integer NOT NULL DEFAULT 0;
