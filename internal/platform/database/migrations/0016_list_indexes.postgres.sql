-- 0016: the lists' orders as indexes (newest first per account, and per
-- state, reference, action): at a million sessions the account index alone sorted them all.
DROP INDEX idx_session_account;
CREATE INDEX idx_session_account ON sessions (account_id, id);
CREATE INDEX idx_session_state ON sessions (account_id, state, id);
CREATE INDEX idx_audit_recent ON audit_events (account_id, id);
DROP INDEX idx_sessions_reference;
CREATE INDEX idx_sessions_reference ON sessions (account_id, reference, id);
DROP INDEX idx_audit_events_action;
CREATE INDEX idx_audit_events_action ON audit_events (account_id, action, id);
