-- 0013: the least age an account's sessions ask for by default.
ALTER TABLE accounts ADD COLUMN min_age bigint DEFAULT 0 NOT NULL;
