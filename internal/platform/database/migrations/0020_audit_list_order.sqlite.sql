-- 0020: audit_event.list is newest first by (created_at, id), as
-- session.list since 0019.
DROP INDEX `idx_audit_account`;
CREATE INDEX `idx_audit_account` ON `audit_events`(`account_id`,`created_at`,`id`);
DROP INDEX `idx_audit_recent`;
DROP INDEX `idx_audit_events_action`;
CREATE INDEX `idx_audit_events_action` ON `audit_events`(`account_id`,`action`,`created_at`,`id`);
