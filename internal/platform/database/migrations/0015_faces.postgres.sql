-- 0015: the faces each account has seen or blocks, for the 1:N search
-- (FACE_SEEN_BEFORE, FACE_BLOCKED); deleted rows stay as tombstones for a
-- while so that every process sees them go.
CREATE TABLE faces (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    session_id bigint DEFAULT 0 NOT NULL,
    verification_id bigint DEFAULT 0 NOT NULL,
    descriptor bytea,
    doc_key character varying(32) DEFAULT ''::character varying NOT NULL,
    person_key character varying(32) DEFAULT ''::character varying NOT NULL,
    block boolean DEFAULT false NOT NULL,
    reason character varying(500) DEFAULT ''::character varying NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT faces_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_face_account ON faces (account_id, id);
CREATE INDEX idx_face_changes ON faces (account_id, updated_at);
CREATE INDEX idx_face_session ON faces (session_id);
CREATE INDEX idx_face_verification ON faces (verification_id);
