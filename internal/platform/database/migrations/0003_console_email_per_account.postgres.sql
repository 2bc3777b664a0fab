-- 0003: a console user's email is unique within an account, not across all
-- of them: a 409 told any account whether an address was another tenant's
-- user, and let it take the address first. Sign-in looks the email up, then
-- the password (and the account, when several share the address).
DROP INDEX idx_console_users_email;
CREATE INDEX idx_console_users_email ON console_users (email);
CREATE UNIQUE INDEX idx_console_user_account_email ON console_users (account_id, email);
