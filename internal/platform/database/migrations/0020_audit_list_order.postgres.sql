-- 0020: audit_event.list is newest first by (created_at, id), as
-- session.list since 0019, so that a created_before bound is a range of
-- the index rather than a walk through every newer event.
DROP INDEX idx_audit_account;
CREATE INDEX idx_audit_account ON audit_events (account_id, created_at, id);
DROP INDEX idx_audit_recent;
DROP INDEX idx_audit_events_action;
CREATE INDEX idx_audit_events_action ON audit_events (account_id, action, created_at, id);
