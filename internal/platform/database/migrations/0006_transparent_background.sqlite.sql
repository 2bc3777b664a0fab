-- 0006: photo tasks take background "transparent"; SQLite's text has no
-- length to widen, so this only keeps the two schemas' versions in step.
SELECT 1;
