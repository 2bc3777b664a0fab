-- 0005: what a session document's printed zone shows for the fields the MRZ
-- also holds (sealed like them), so a MRZ_VIZ_MISMATCH comes with both values.
ALTER TABLE `sessions` ADD COLUMN `viz_surname` text NOT NULL DEFAULT "";
ALTER TABLE `sessions` ADD COLUMN `viz_given_names` text NOT NULL DEFAULT "";
ALTER TABLE `sessions` ADD COLUMN `viz_document_number` text NOT NULL DEFAULT "";
ALTER TABLE `sessions` ADD COLUMN `viz_date_of_birth` text NOT NULL DEFAULT "";
