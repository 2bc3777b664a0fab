-- 0001 baseline: the schema as release 8f9c40d left it (until then AutoMigrate made it).
-- A database from that release has all of this already and is adopted, not created again.

CREATE TABLE accounts (
    id bigserial NOT NULL,
    name character varying(200) NOT NULL,
    sandbox boolean DEFAULT false NOT NULL,
    rate_limit_per_hour bigint DEFAULT 0 NOT NULL,
    webhook_secret text DEFAULT ''::text NOT NULL,
    previous_webhook_secret text DEFAULT ''::text NOT NULL,
    previous_secret_until timestamp with time zone,
    retention_days bigint,
    created_at timestamp with time zone,
    CONSTRAINT accounts_pkey PRIMARY KEY (id)
);
CREATE TABLE api_keys (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    name character varying(200) DEFAULT ''::character varying NOT NULL,
    public_key character varying(64) NOT NULL,
    secret_hash character varying(64) NOT NULL,
    secret_tail character varying(8) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    scopes character varying(200) DEFAULT ''::character varying NOT NULL,
    expires_at timestamp with time zone,
    CONSTRAINT api_keys_pkey PRIMARY KEY (id)
);
CREATE TABLE audit_events (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    actor character varying(60) NOT NULL,
    action character varying(60) NOT NULL,
    object character varying(80) DEFAULT ''::character varying NOT NULL,
    ip character varying(64) DEFAULT ''::character varying NOT NULL,
    request_id character varying(64) DEFAULT ''::character varying NOT NULL,
    CONSTRAINT audit_events_pkey PRIMARY KEY (id)
);
CREATE TABLE billing_holds (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    task_id bigint NOT NULL,
    amount_cents bigint NOT NULL,
    state character varying(10) NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT billing_holds_pkey PRIMARY KEY (id)
);
CREATE TABLE callback_attempts (
    id bigserial NOT NULL,
    callback_id bigint NOT NULL,
    account_id bigint NOT NULL,
    attempt bigint NOT NULL,
    status_code bigint DEFAULT 0 NOT NULL,
    error character varying(500) DEFAULT ''::character varying NOT NULL,
    duration_ms bigint NOT NULL,
    created_at timestamp with time zone,
    CONSTRAINT callback_attempts_pkey PRIMARY KEY (id)
);
CREATE TABLE callbacks (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    subject character varying(20) NOT NULL,
    subject_id bigint NOT NULL,
    endpoint_id bigint DEFAULT 0 NOT NULL,
    event character varying(60) NOT NULL,
    url character varying(2048) NOT NULL,
    payload text NOT NULL,
    message_id character varying(40) NOT NULL,
    state character varying(12) NOT NULL,
    attempts bigint DEFAULT 0 NOT NULL,
    last_status bigint DEFAULT 0 NOT NULL,
    last_error character varying(500) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    delivered_at timestamp with time zone,
    CONSTRAINT callbacks_pkey PRIMARY KEY (id)
);
CREATE TABLE console_sessions (
    id bigserial NOT NULL,
    user_id bigint NOT NULL,
    token_hash bytea NOT NULL,
    csrf character varying(64) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone,
    CONSTRAINT console_sessions_pkey PRIMARY KEY (id)
);
CREATE TABLE console_users (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    email character varying(254) NOT NULL,
    role character varying(10) NOT NULL,
    password_hash character varying(200) NOT NULL,
    disabled_at timestamp with time zone,
    created_at timestamp with time zone,
    CONSTRAINT console_users_pkey PRIMARY KEY (id)
);
CREATE TABLE decisions (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    verification_id bigint NOT NULL,
    document_id bigint DEFAULT 0 NOT NULL,
    status character varying(16) NOT NULL,
    validation_workflow character varying(10) NOT NULL,
    comment character varying(2000) DEFAULT ''::character varying NOT NULL,
    reasons character varying(500) DEFAULT ''::character varying NOT NULL,
    previous_status character varying(16) DEFAULT ''::character varying NOT NULL,
    api_key_id bigint DEFAULT 0 NOT NULL,
    canceled_at timestamp with time zone,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT decisions_pkey PRIMARY KEY (id)
);
CREATE TABLE documents (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    verification_id bigint NOT NULL,
    context_type character varying(20) NOT NULL,
    document_type_id bigint NOT NULL,
    country character varying(2) NOT NULL,
    status bigint NOT NULL,
    front_key character varying(300) NOT NULL,
    front_type character varying(40) NOT NULL,
    back_key character varying(300) DEFAULT ''::character varying NOT NULL,
    back_type character varying(40) DEFAULT ''::character varying NOT NULL,
    checks character varying(500) DEFAULT ''::character varying NOT NULL,
    descriptor bytea,
    revision bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT documents_pkey PRIMARY KEY (id)
);
CREATE TABLE encryption_keys (
    name character varying(40) NOT NULL,
    wrapped bytea NOT NULL,
    master_key_id bigint NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT encryption_keys_pkey PRIMARY KEY (name)
);
CREATE TABLE extracted_changes (
    id bigserial NOT NULL,
    document_id bigint NOT NULL,
    key character varying(60) NOT NULL,
    old_value text NOT NULL,
    new_value text NOT NULL,
    api_key_id bigint NOT NULL,
    created_at timestamp with time zone,
    CONSTRAINT extracted_changes_pkey PRIMARY KEY (id)
);
CREATE TABLE extracted_fields (
    id bigserial NOT NULL,
    document_id bigint NOT NULL,
    key character varying(60) NOT NULL,
    value text NOT NULL,
    source character varying(10) NOT NULL,
    updated_at timestamp with time zone,
    CONSTRAINT extracted_fields_pkey PRIMARY KEY (id)
);
CREATE TABLE idempotency_keys (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    key character varying(255) NOT NULL,
    method character varying(100) NOT NULL,
    request_hash character varying(64) NOT NULL,
    status bigint DEFAULT 0 NOT NULL,
    response bytea,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (id)
);
CREATE TABLE photo_tasks (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    spec_id bigint NOT NULL,
    state character varying(12) NOT NULL,
    progress bigint DEFAULT 0 NOT NULL,
    output_format character varying(8) NOT NULL,
    background character varying(8) DEFAULT 'replace'::character varying NOT NULL,
    source_key character varying(300) NOT NULL,
    price_cents bigint NOT NULL,
    result_json text DEFAULT ''::text NOT NULL,
    error_code character varying(40) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    finished_at timestamp with time zone,
    erased_at timestamp with time zone,
    CONSTRAINT photo_tasks_pkey PRIMARY KEY (id)
);
CREATE TABLE rate_counters (
    bucket character varying(100) NOT NULL,
    window_start timestamp with time zone NOT NULL,
    count bigint NOT NULL,
    CONSTRAINT rate_counters_pkey PRIMARY KEY (bucket, window_start)
);
CREATE TABLE session_events (
    id bigserial NOT NULL,
    session_id bigint NOT NULL,
    state character varying(12) NOT NULL,
    reasons character varying(500) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone,
    CONSTRAINT session_events_pkey PRIMARY KEY (id)
);
CREATE TABLE session_uploads (
    id bigserial NOT NULL,
    session_id bigint NOT NULL,
    kind character varying(20) NOT NULL,
    key character varying(300) NOT NULL,
    size bigint NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT session_uploads_pkey PRIMARY KEY (id)
);
CREATE TABLE sessions (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    token_hash bytea NOT NULL,
    state character varying(12) NOT NULL,
    reference character varying(200) DEFAULT ''::character varying NOT NULL,
    callback_url character varying(2048) DEFAULT ''::character varying NOT NULL,
    callback_disabled boolean DEFAULT false NOT NULL,
    face_verification boolean DEFAULT false NOT NULL,
    passport_only boolean DEFAULT false NOT NULL,
    user_ip character varying(64) DEFAULT ''::character varying NOT NULL,
    user_agent character varying(512) DEFAULT ''::character varying NOT NULL,
    given_names text DEFAULT ''::text NOT NULL,
    surname text DEFAULT ''::text NOT NULL,
    nationality character varying(3) DEFAULT ''::character varying NOT NULL,
    sex character varying(1) DEFAULT ''::character varying NOT NULL,
    date_of_birth text DEFAULT ''::text NOT NULL,
    personal_number text DEFAULT ''::text NOT NULL,
    document_type character varying(20) DEFAULT ''::character varying NOT NULL,
    document_number text DEFAULT ''::text NOT NULL,
    expiry_date character varying(10) DEFAULT ''::character varying NOT NULL,
    issuing_country character varying(3) DEFAULT ''::character varying NOT NULL,
    issuer character varying(200) DEFAULT ''::character varying NOT NULL,
    portrait_key character varying(300) DEFAULT ''::character varying NOT NULL,
    face_key character varying(300) DEFAULT ''::character varying NOT NULL,
    face_match_score bigint,
    checks character varying(500) DEFAULT ''::character varying NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    submitted_at timestamp with time zone,
    finished_at timestamp with time zone,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT sessions_pkey PRIMARY KEY (id)
);
CREATE TABLE transactions (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    type character varying(20) NOT NULL,
    amount_cents bigint NOT NULL,
    balance_after_cents bigint NOT NULL,
    task_id bigint,
    description character varying(200) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT transactions_pkey PRIMARY KEY (id)
);
CREATE TABLE verifications (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    flow character varying(40) NOT NULL,
    status character varying(16) NOT NULL,
    reference character varying(200) DEFAULT ''::character varying NOT NULL,
    expected_given_names text DEFAULT ''::text NOT NULL,
    expected_surname text DEFAULT ''::text NOT NULL,
    expected_date_of_birth text DEFAULT ''::text NOT NULL,
    expected_street text DEFAULT ''::text NOT NULL,
    expected_city text DEFAULT ''::text NOT NULL,
    expected_state text DEFAULT ''::text NOT NULL,
    expected_zip text DEFAULT ''::text NOT NULL,
    expected_country character varying(2) DEFAULT ''::character varying NOT NULL,
    submitted_at timestamp with time zone,
    erased_at timestamp with time zone,
    finished_at timestamp with time zone,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT verifications_pkey PRIMARY KEY (id)
);
CREATE TABLE webhook_endpoints (
    id bigserial NOT NULL,
    account_id bigint NOT NULL,
    url character varying(2048) NOT NULL,
    events character varying(500) DEFAULT ''::character varying NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id)
);

CREATE INDEX idx_api_keys_account_id ON api_keys (account_id);
CREATE UNIQUE INDEX idx_api_keys_public_key ON api_keys (public_key);
CREATE INDEX idx_api_keys_revoked_at ON api_keys (revoked_at);
CREATE UNIQUE INDEX idx_api_keys_secret_hash ON api_keys (secret_hash);
CREATE INDEX idx_audit_account ON audit_events (account_id, created_at);
CREATE INDEX idx_audit_events_action ON audit_events (action);
CREATE INDEX idx_audit_events_object ON audit_events (object);
CREATE INDEX idx_billing_holds_account_id ON billing_holds (account_id);
CREATE INDEX idx_billing_holds_state ON billing_holds (state);
CREATE UNIQUE INDEX idx_billing_holds_task_id ON billing_holds (task_id);
CREATE INDEX idx_callback_attempts_callback_id ON callback_attempts (callback_id);
CREATE INDEX idx_callback_subject ON callbacks (subject, subject_id);
CREATE INDEX idx_callbacks_account_id ON callbacks (account_id);
CREATE UNIQUE INDEX idx_callbacks_message_id ON callbacks (message_id);
CREATE INDEX idx_console_sessions_expires_at ON console_sessions (expires_at);
CREATE UNIQUE INDEX idx_console_sessions_token_hash ON console_sessions (token_hash);
CREATE INDEX idx_console_sessions_user_id ON console_sessions (user_id);
CREATE INDEX idx_console_users_account_id ON console_users (account_id);
CREATE UNIQUE INDEX idx_console_users_email ON console_users (email);
CREATE INDEX idx_decisions_account_id ON decisions (account_id);
CREATE INDEX idx_decisions_verification_id ON decisions (verification_id);
CREATE UNIQUE INDEX idx_document_context ON documents (verification_id, context_type);
CREATE INDEX idx_documents_account_id ON documents (account_id);
CREATE INDEX idx_extracted_changes_document_id ON extracted_changes (document_id);
CREATE UNIQUE INDEX idx_extracted_key ON extracted_fields (document_id, key);
CREATE UNIQUE INDEX idx_idem_account_key ON idempotency_keys (account_id, key);
CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys (created_at);
CREATE INDEX idx_photo_account ON photo_tasks (account_id);
CREATE INDEX idx_session_account ON sessions (account_id);
CREATE INDEX idx_session_events_session_id ON session_events (session_id);
CREATE INDEX idx_sessions_expires_at ON sessions (expires_at);
CREATE INDEX idx_sessions_reference ON sessions (reference);
CREATE UNIQUE INDEX idx_sessions_token_hash ON sessions (token_hash);
CREATE INDEX idx_tx_account_created ON transactions (account_id, created_at);
CREATE UNIQUE INDEX idx_tx_type_task ON transactions (type, task_id);
CREATE UNIQUE INDEX idx_upload_kind ON session_uploads (session_id, kind);
CREATE INDEX idx_verifications_account_id ON verifications (account_id);
CREATE INDEX idx_webhook_endpoints_account_id ON webhook_endpoints (account_id);

ALTER TABLE api_keys ADD CONSTRAINT fk_api_keys_account FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE;
