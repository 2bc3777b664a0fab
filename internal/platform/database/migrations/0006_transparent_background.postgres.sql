-- 0006: photo tasks take background "transparent", longer than the column's 8.
ALTER TABLE photo_tasks ALTER COLUMN background TYPE character varying(16);
