-- 0010: what each session check does for the account (decline, review, ignore).
ALTER TABLE accounts ADD COLUMN check_policy text DEFAULT ''::text NOT NULL;
