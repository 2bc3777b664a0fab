-- 0014: what a session's failed checks measured or found (sealed).
ALTER TABLE sessions ADD COLUMN evidence text DEFAULT ''::text NOT NULL;
