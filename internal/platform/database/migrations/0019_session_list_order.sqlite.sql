-- 0019: session.list is newest first by (created_at, id), so that a
-- created_before bound is a range of the index.
DROP INDEX `idx_session_account`;
CREATE INDEX `idx_session_account` ON `sessions`(`account_id`,`created_at`,`id`);
DROP INDEX `idx_session_state`;
CREATE INDEX `idx_session_state` ON `sessions`(`account_id`,`state`,`created_at`,`id`);
DROP INDEX `idx_sessions_reference`;
CREATE INDEX `idx_sessions_reference` ON `sessions`(`account_id`,`reference`,`created_at`,`id`);
