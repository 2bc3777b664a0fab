-- 0009: a session may ask for a least age (UNDERAGE below it).
ALTER TABLE sessions ADD COLUMN min_age bigint DEFAULT 0 NOT NULL;
