-- 0008: photo specifications an account defines for itself.
CREATE TABLE account_specs (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    spec_json text NOT NULL,
    created_at timestamp with time zone,
    CONSTRAINT account_specs_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_account_spec_account ON account_specs (account_id);
