-- The schema release 8f9c40d (the last made by AutoMigrate) created on PostgreSQL,
-- dumped from its own `veridoc migrate`. Test fixture: never edit.
CREATE TABLE public.accounts (
    id bigint NOT NULL,
    name character varying(200) NOT NULL,
    sandbox boolean DEFAULT false NOT NULL,
    rate_limit_per_hour bigint DEFAULT 0 NOT NULL,
    webhook_secret text DEFAULT ''::text NOT NULL,
    previous_webhook_secret text DEFAULT ''::text NOT NULL,
    previous_secret_until timestamp with time zone,
    retention_days bigint,
    created_at timestamp with time zone
);

CREATE SEQUENCE public.accounts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.accounts_id_seq OWNED BY public.accounts.id;

CREATE TABLE public.api_keys (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    name character varying(200) DEFAULT ''::character varying NOT NULL,
    public_key character varying(64) NOT NULL,
    secret_hash character varying(64) NOT NULL,
    secret_tail character varying(8) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    scopes character varying(200) DEFAULT ''::character varying NOT NULL,
    expires_at timestamp with time zone
);

CREATE SEQUENCE public.api_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.api_keys_id_seq OWNED BY public.api_keys.id;

CREATE TABLE public.audit_events (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    actor character varying(60) NOT NULL,
    action character varying(60) NOT NULL,
    object character varying(80) DEFAULT ''::character varying NOT NULL,
    ip character varying(64) DEFAULT ''::character varying NOT NULL,
    request_id character varying(64) DEFAULT ''::character varying NOT NULL
);

CREATE SEQUENCE public.audit_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.audit_events_id_seq OWNED BY public.audit_events.id;

CREATE TABLE public.billing_holds (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    task_id bigint NOT NULL,
    amount_cents bigint NOT NULL,
    state character varying(10) NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone
);

CREATE SEQUENCE public.billing_holds_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.billing_holds_id_seq OWNED BY public.billing_holds.id;

CREATE TABLE public.callback_attempts (
    id bigint NOT NULL,
    callback_id bigint NOT NULL,
    account_id bigint NOT NULL,
    attempt bigint NOT NULL,
    status_code bigint DEFAULT 0 NOT NULL,
    error character varying(500) DEFAULT ''::character varying NOT NULL,
    duration_ms bigint NOT NULL,
    created_at timestamp with time zone
);

CREATE SEQUENCE public.callback_attempts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.callback_attempts_id_seq OWNED BY public.callback_attempts.id;

CREATE TABLE public.callbacks (
    id bigint NOT NULL,
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
    delivered_at timestamp with time zone
);

CREATE SEQUENCE public.callbacks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.callbacks_id_seq OWNED BY public.callbacks.id;

CREATE TABLE public.console_sessions (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    token_hash bytea NOT NULL,
    csrf character varying(64) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone
);

CREATE SEQUENCE public.console_sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.console_sessions_id_seq OWNED BY public.console_sessions.id;

CREATE TABLE public.console_users (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    email character varying(254) NOT NULL,
    role character varying(10) NOT NULL,
    password_hash character varying(200) NOT NULL,
    disabled_at timestamp with time zone,
    created_at timestamp with time zone
);

CREATE SEQUENCE public.console_users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.console_users_id_seq OWNED BY public.console_users.id;

CREATE TABLE public.decisions (
    id bigint NOT NULL,
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
    updated_at timestamp with time zone
);

CREATE SEQUENCE public.decisions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.decisions_id_seq OWNED BY public.decisions.id;

CREATE TABLE public.documents (
    id bigint NOT NULL,
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
    updated_at timestamp with time zone
);

CREATE SEQUENCE public.documents_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.documents_id_seq OWNED BY public.documents.id;

CREATE TABLE public.encryption_keys (
    name character varying(40) NOT NULL,
    wrapped bytea NOT NULL,
    master_key_id bigint NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone
);

CREATE TABLE public.extracted_changes (
    id bigint NOT NULL,
    document_id bigint NOT NULL,
    key character varying(60) NOT NULL,
    old_value text NOT NULL,
    new_value text NOT NULL,
    api_key_id bigint NOT NULL,
    created_at timestamp with time zone
);

CREATE SEQUENCE public.extracted_changes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.extracted_changes_id_seq OWNED BY public.extracted_changes.id;

CREATE TABLE public.extracted_fields (
    id bigint NOT NULL,
    document_id bigint NOT NULL,
    key character varying(60) NOT NULL,
    value text NOT NULL,
    source character varying(10) NOT NULL,
    updated_at timestamp with time zone
);

CREATE SEQUENCE public.extracted_fields_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.extracted_fields_id_seq OWNED BY public.extracted_fields.id;

CREATE TABLE public.idempotency_keys (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    key character varying(255) NOT NULL,
    method character varying(100) NOT NULL,
    request_hash character varying(64) NOT NULL,
    status bigint DEFAULT 0 NOT NULL,
    response bytea,
    created_at timestamp with time zone NOT NULL
);

CREATE SEQUENCE public.idempotency_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.idempotency_keys_id_seq OWNED BY public.idempotency_keys.id;

CREATE TABLE public.photo_tasks (
    id bigint NOT NULL,
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
    erased_at timestamp with time zone
);

CREATE SEQUENCE public.photo_tasks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.photo_tasks_id_seq OWNED BY public.photo_tasks.id;

CREATE TABLE public.rate_counters (
    bucket character varying(100) NOT NULL,
    window_start timestamp with time zone NOT NULL,
    count bigint NOT NULL
);

CREATE TABLE public.session_events (
    id bigint NOT NULL,
    session_id bigint NOT NULL,
    state character varying(12) NOT NULL,
    reasons character varying(500) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone
);

CREATE SEQUENCE public.session_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.session_events_id_seq OWNED BY public.session_events.id;

CREATE TABLE public.session_uploads (
    id bigint NOT NULL,
    session_id bigint NOT NULL,
    kind character varying(20) NOT NULL,
    key character varying(300) NOT NULL,
    size bigint NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone
);

CREATE SEQUENCE public.session_uploads_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.session_uploads_id_seq OWNED BY public.session_uploads.id;

CREATE TABLE public.sessions (
    id bigint NOT NULL,
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
    updated_at timestamp with time zone
);

CREATE SEQUENCE public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.sessions_id_seq OWNED BY public.sessions.id;

CREATE TABLE public.transactions (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    type character varying(20) NOT NULL,
    amount_cents bigint NOT NULL,
    balance_after_cents bigint NOT NULL,
    task_id bigint,
    description character varying(200) DEFAULT ''::character varying NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE SEQUENCE public.transactions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.transactions_id_seq OWNED BY public.transactions.id;

CREATE TABLE public.verifications (
    id bigint NOT NULL,
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
    updated_at timestamp with time zone
);

CREATE SEQUENCE public.verifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.verifications_id_seq OWNED BY public.verifications.id;

CREATE TABLE public.webhook_endpoints (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    url character varying(2048) NOT NULL,
    events character varying(500) DEFAULT ''::character varying NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone,
    updated_at timestamp with time zone
);

CREATE SEQUENCE public.webhook_endpoints_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.webhook_endpoints_id_seq OWNED BY public.webhook_endpoints.id;

ALTER TABLE ONLY public.accounts ALTER COLUMN id SET DEFAULT nextval('public.accounts_id_seq'::regclass);

ALTER TABLE ONLY public.api_keys ALTER COLUMN id SET DEFAULT nextval('public.api_keys_id_seq'::regclass);

ALTER TABLE ONLY public.audit_events ALTER COLUMN id SET DEFAULT nextval('public.audit_events_id_seq'::regclass);

ALTER TABLE ONLY public.billing_holds ALTER COLUMN id SET DEFAULT nextval('public.billing_holds_id_seq'::regclass);

ALTER TABLE ONLY public.callback_attempts ALTER COLUMN id SET DEFAULT nextval('public.callback_attempts_id_seq'::regclass);

ALTER TABLE ONLY public.callbacks ALTER COLUMN id SET DEFAULT nextval('public.callbacks_id_seq'::regclass);

ALTER TABLE ONLY public.console_sessions ALTER COLUMN id SET DEFAULT nextval('public.console_sessions_id_seq'::regclass);

ALTER TABLE ONLY public.console_users ALTER COLUMN id SET DEFAULT nextval('public.console_users_id_seq'::regclass);

ALTER TABLE ONLY public.decisions ALTER COLUMN id SET DEFAULT nextval('public.decisions_id_seq'::regclass);

ALTER TABLE ONLY public.documents ALTER COLUMN id SET DEFAULT nextval('public.documents_id_seq'::regclass);

ALTER TABLE ONLY public.extracted_changes ALTER COLUMN id SET DEFAULT nextval('public.extracted_changes_id_seq'::regclass);

ALTER TABLE ONLY public.extracted_fields ALTER COLUMN id SET DEFAULT nextval('public.extracted_fields_id_seq'::regclass);

ALTER TABLE ONLY public.idempotency_keys ALTER COLUMN id SET DEFAULT nextval('public.idempotency_keys_id_seq'::regclass);

ALTER TABLE ONLY public.photo_tasks ALTER COLUMN id SET DEFAULT nextval('public.photo_tasks_id_seq'::regclass);

ALTER TABLE ONLY public.session_events ALTER COLUMN id SET DEFAULT nextval('public.session_events_id_seq'::regclass);

ALTER TABLE ONLY public.session_uploads ALTER COLUMN id SET DEFAULT nextval('public.session_uploads_id_seq'::regclass);

ALTER TABLE ONLY public.sessions ALTER COLUMN id SET DEFAULT nextval('public.sessions_id_seq'::regclass);

ALTER TABLE ONLY public.transactions ALTER COLUMN id SET DEFAULT nextval('public.transactions_id_seq'::regclass);

ALTER TABLE ONLY public.verifications ALTER COLUMN id SET DEFAULT nextval('public.verifications_id_seq'::regclass);

ALTER TABLE ONLY public.webhook_endpoints ALTER COLUMN id SET DEFAULT nextval('public.webhook_endpoints_id_seq'::regclass);

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.billing_holds
    ADD CONSTRAINT billing_holds_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.callback_attempts
    ADD CONSTRAINT callback_attempts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.callbacks
    ADD CONSTRAINT callbacks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.console_sessions
    ADD CONSTRAINT console_sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.console_users
    ADD CONSTRAINT console_users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.decisions
    ADD CONSTRAINT decisions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.encryption_keys
    ADD CONSTRAINT encryption_keys_pkey PRIMARY KEY (name);

ALTER TABLE ONLY public.extracted_changes
    ADD CONSTRAINT extracted_changes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.extracted_fields
    ADD CONSTRAINT extracted_fields_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.photo_tasks
    ADD CONSTRAINT photo_tasks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.rate_counters
    ADD CONSTRAINT rate_counters_pkey PRIMARY KEY (bucket, window_start);

ALTER TABLE ONLY public.session_events
    ADD CONSTRAINT session_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.session_uploads
    ADD CONSTRAINT session_uploads_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.transactions
    ADD CONSTRAINT transactions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.verifications
    ADD CONSTRAINT verifications_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id);

CREATE INDEX idx_api_keys_account_id ON public.api_keys USING btree (account_id);

CREATE UNIQUE INDEX idx_api_keys_public_key ON public.api_keys USING btree (public_key);

CREATE INDEX idx_api_keys_revoked_at ON public.api_keys USING btree (revoked_at);

CREATE UNIQUE INDEX idx_api_keys_secret_hash ON public.api_keys USING btree (secret_hash);

CREATE INDEX idx_audit_account ON public.audit_events USING btree (account_id, created_at);

CREATE INDEX idx_audit_events_action ON public.audit_events USING btree (action);

CREATE INDEX idx_audit_events_object ON public.audit_events USING btree (object);

CREATE INDEX idx_billing_holds_account_id ON public.billing_holds USING btree (account_id);

CREATE INDEX idx_billing_holds_state ON public.billing_holds USING btree (state);

CREATE UNIQUE INDEX idx_billing_holds_task_id ON public.billing_holds USING btree (task_id);

CREATE INDEX idx_callback_attempts_callback_id ON public.callback_attempts USING btree (callback_id);

CREATE INDEX idx_callback_subject ON public.callbacks USING btree (subject, subject_id);

CREATE INDEX idx_callbacks_account_id ON public.callbacks USING btree (account_id);

CREATE UNIQUE INDEX idx_callbacks_message_id ON public.callbacks USING btree (message_id);

CREATE INDEX idx_console_sessions_expires_at ON public.console_sessions USING btree (expires_at);

CREATE UNIQUE INDEX idx_console_sessions_token_hash ON public.console_sessions USING btree (token_hash);

CREATE INDEX idx_console_sessions_user_id ON public.console_sessions USING btree (user_id);

CREATE INDEX idx_console_users_account_id ON public.console_users USING btree (account_id);

CREATE UNIQUE INDEX idx_console_users_email ON public.console_users USING btree (email);

CREATE INDEX idx_decisions_account_id ON public.decisions USING btree (account_id);

CREATE INDEX idx_decisions_verification_id ON public.decisions USING btree (verification_id);

CREATE UNIQUE INDEX idx_document_context ON public.documents USING btree (verification_id, context_type);

CREATE INDEX idx_documents_account_id ON public.documents USING btree (account_id);

CREATE INDEX idx_extracted_changes_document_id ON public.extracted_changes USING btree (document_id);

CREATE UNIQUE INDEX idx_extracted_key ON public.extracted_fields USING btree (document_id, key);

CREATE UNIQUE INDEX idx_idem_account_key ON public.idempotency_keys USING btree (account_id, key);

CREATE INDEX idx_idempotency_keys_created_at ON public.idempotency_keys USING btree (created_at);

CREATE INDEX idx_photo_account ON public.photo_tasks USING btree (account_id);

CREATE INDEX idx_session_account ON public.sessions USING btree (account_id);

CREATE INDEX idx_session_events_session_id ON public.session_events USING btree (session_id);

CREATE INDEX idx_sessions_expires_at ON public.sessions USING btree (expires_at);

CREATE INDEX idx_sessions_reference ON public.sessions USING btree (reference);

CREATE UNIQUE INDEX idx_sessions_token_hash ON public.sessions USING btree (token_hash);

CREATE INDEX idx_tx_account_created ON public.transactions USING btree (account_id, created_at);

CREATE UNIQUE INDEX idx_tx_type_task ON public.transactions USING btree (type, task_id);

CREATE UNIQUE INDEX idx_upload_kind ON public.session_uploads USING btree (session_id, kind);

CREATE INDEX idx_verifications_account_id ON public.verifications USING btree (account_id);

CREATE INDEX idx_webhook_endpoints_account_id ON public.webhook_endpoints USING btree (account_id);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT fk_api_keys_account FOREIGN KEY (account_id) REFERENCES public.accounts(id) ON DELETE CASCADE;
