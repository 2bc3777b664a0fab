-- 0007: the tasks of one photo.batch call share the first one's id.
ALTER TABLE `photo_tasks` ADD COLUMN `batch_id` integer NOT NULL DEFAULT 0;
CREATE INDEX `idx_photo_batch` ON `photo_tasks`(`batch_id`);
