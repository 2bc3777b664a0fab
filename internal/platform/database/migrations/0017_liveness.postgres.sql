-- 0017: liveness: what a session asks for (none, passive, active), its
-- challenge (nonce, steps) and verdict; the account's default.
ALTER TABLE sessions ADD COLUMN liveness character varying(8) DEFAULT ''::character varying NOT NULL;
ALTER TABLE sessions ADD COLUMN liveness_nonce character varying(40) DEFAULT ''::character varying NOT NULL;
ALTER TABLE sessions ADD COLUMN liveness_steps character varying(80) DEFAULT ''::character varying NOT NULL;
ALTER TABLE sessions ADD COLUMN liveness_result text DEFAULT ''::text NOT NULL;
ALTER TABLE accounts ADD COLUMN liveness_default character varying(8) DEFAULT 'none'::character varying NOT NULL;
