-- 0018: digests of the liveness frames each account received, to refuse
-- frames sent again to another session.
CREATE TABLE `live_frames` (`id` integer PRIMARY KEY AUTOINCREMENT,`account_id` integer NOT NULL,`digest` text NOT NULL,`session_id` integer NOT NULL,`created_at` datetime);
CREATE INDEX `idx_live_frame_digest` ON `live_frames`(`account_id`,`digest`);
CREATE INDEX `idx_live_frame_session` ON `live_frames`(`session_id`);
