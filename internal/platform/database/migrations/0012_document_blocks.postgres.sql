-- 0012: documents an account refuses from now on (DOCUMENT_BLOCKED).
CREATE TABLE document_blocks (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    doc_index character varying(32) NOT NULL,
    session_id bigint NOT NULL,
    reason character varying(500) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone,
    CONSTRAINT document_blocks_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_document_block_account ON document_blocks (account_id);
