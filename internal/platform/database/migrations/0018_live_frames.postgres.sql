-- 0018: digests of the liveness frames each account received, to refuse
-- frames sent again to another session.
CREATE TABLE live_frames (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    digest character varying(64) NOT NULL,
    session_id bigint NOT NULL,
    created_at timestamp with time zone,
    CONSTRAINT live_frames_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_live_frame_digest ON live_frames (account_id, digest);
CREATE INDEX idx_live_frame_session ON live_frames (session_id);
