-- 0001 baseline: the schema as release 8f9c40d left it (until then AutoMigrate made it).
-- A database from that release has all of this already and is adopted, not created again.

CREATE TABLE `accounts` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `name` text NOT NULL,
    `sandbox` numeric NOT NULL DEFAULT false,
    `rate_limit_per_hour` integer NOT NULL DEFAULT 0,
    `webhook_secret` text NOT NULL DEFAULT "",
    `previous_webhook_secret` text NOT NULL DEFAULT "",
    `previous_secret_until` datetime,
    `retention_days` integer,
    `created_at` datetime
);

CREATE TABLE `api_keys` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `name` text NOT NULL DEFAULT "",
    `public_key` text NOT NULL,
    `secret_hash` text NOT NULL,
    `secret_tail` text NOT NULL,
    `created_at` datetime NOT NULL,
    `last_used_at` datetime,
    `revoked_at` datetime,
    `scopes` text NOT NULL DEFAULT "",
    `expires_at` datetime,
    CONSTRAINT `fk_api_keys_account` FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON DELETE CASCADE
);
CREATE INDEX `idx_api_keys_revoked_at` ON `api_keys`(`revoked_at`);
CREATE UNIQUE INDEX `idx_api_keys_secret_hash` ON `api_keys`(`secret_hash`);
CREATE UNIQUE INDEX `idx_api_keys_public_key` ON `api_keys`(`public_key`);
CREATE INDEX `idx_api_keys_account_id` ON `api_keys`(`account_id`);

CREATE TABLE `idempotency_keys` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `key` text NOT NULL,
    `method` text NOT NULL,
    `request_hash` text NOT NULL,
    `status` integer NOT NULL DEFAULT 0,
    `response` blob,
    `created_at` datetime NOT NULL
);
CREATE INDEX `idx_idempotency_keys_created_at` ON `idempotency_keys`(`created_at`);
CREATE UNIQUE INDEX `idx_idem_account_key` ON `idempotency_keys`(`account_id`,`key`);

CREATE TABLE `transactions` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `type` text NOT NULL,
    `amount_cents` integer NOT NULL,
    `balance_after_cents` integer NOT NULL,
    `task_id` integer,
    `description` text NOT NULL DEFAULT "",
    `created_at` datetime NOT NULL
);
CREATE UNIQUE INDEX `idx_tx_type_task` ON `transactions`(`type`,`task_id`);
CREATE INDEX `idx_tx_account_created` ON `transactions`(`account_id`,`created_at`);

CREATE TABLE `billing_holds` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `task_id` integer NOT NULL,
    `amount_cents` integer NOT NULL,
    `state` text NOT NULL,
    `created_at` datetime,
    `updated_at` datetime
);
CREATE INDEX `idx_billing_holds_state` ON `billing_holds`(`state`);
CREATE UNIQUE INDEX `idx_billing_holds_task_id` ON `billing_holds`(`task_id`);
CREATE INDEX `idx_billing_holds_account_id` ON `billing_holds`(`account_id`);

CREATE TABLE `rate_counters` (
    `bucket` text,
    `window_start` datetime,
    `count` integer NOT NULL,
    PRIMARY KEY (`bucket`,`window_start`)
);

CREATE TABLE `photo_tasks` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `spec_id` integer NOT NULL,
    `state` text NOT NULL,
    `progress` integer NOT NULL DEFAULT 0,
    `output_format` text NOT NULL,
    `background` text NOT NULL DEFAULT "replace",
    `source_key` text NOT NULL,
    `price_cents` integer NOT NULL,
    `result_json` text NOT NULL DEFAULT "",
    `error_code` text NOT NULL DEFAULT "",
    `created_at` datetime,
    `updated_at` datetime,
    `finished_at` datetime,
    `erased_at` datetime
);
CREATE INDEX `idx_photo_account` ON `photo_tasks`(`account_id`);

CREATE TABLE `sessions` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `token_hash` blob NOT NULL,
    `state` text NOT NULL,
    `reference` text NOT NULL DEFAULT "",
    `callback_url` text NOT NULL DEFAULT "",
    `callback_disabled` numeric NOT NULL DEFAULT false,
    `face_verification` numeric NOT NULL DEFAULT false,
    `passport_only` numeric NOT NULL DEFAULT false,
    `user_ip` text NOT NULL DEFAULT "",
    `user_agent` text NOT NULL DEFAULT "",
    `given_names` text NOT NULL DEFAULT "",
    `surname` text NOT NULL DEFAULT "",
    `nationality` text NOT NULL DEFAULT "",
    `sex` text NOT NULL DEFAULT "",
    `date_of_birth` text NOT NULL DEFAULT "",
    `personal_number` text NOT NULL DEFAULT "",
    `document_type` text NOT NULL DEFAULT "",
    `document_number` text NOT NULL DEFAULT "",
    `expiry_date` text NOT NULL DEFAULT "",
    `issuing_country` text NOT NULL DEFAULT "",
    `issuer` text NOT NULL DEFAULT "",
    `portrait_key` text NOT NULL DEFAULT "",
    `face_key` text NOT NULL DEFAULT "",
    `face_match_score` integer,
    `checks` text NOT NULL DEFAULT "",
    `expires_at` datetime NOT NULL,
    `submitted_at` datetime,
    `finished_at` datetime,
    `deleted_at` datetime,
    `created_at` datetime,
    `updated_at` datetime
);
CREATE INDEX `idx_sessions_expires_at` ON `sessions`(`expires_at`);
CREATE INDEX `idx_sessions_reference` ON `sessions`(`reference`);
CREATE UNIQUE INDEX `idx_sessions_token_hash` ON `sessions`(`token_hash`);
CREATE INDEX `idx_session_account` ON `sessions`(`account_id`);

CREATE TABLE `session_uploads` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `session_id` integer NOT NULL,
    `kind` text NOT NULL,
    `key` text NOT NULL,
    `size` integer NOT NULL,
    `created_at` datetime,
    `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_upload_kind` ON `session_uploads`(`session_id`,`kind`);

CREATE TABLE `session_events` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `session_id` integer NOT NULL,
    `state` text NOT NULL,
    `reasons` text NOT NULL DEFAULT "",
    `created_at` datetime
);
CREATE INDEX `idx_session_events_session_id` ON `session_events`(`session_id`);

CREATE TABLE `callbacks` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `subject` text NOT NULL,
    `subject_id` integer NOT NULL,
    `endpoint_id` integer NOT NULL DEFAULT 0,
    `event` text NOT NULL,
    `url` text NOT NULL,
    `payload` text NOT NULL,
    `message_id` text NOT NULL,
    `state` text NOT NULL,
    `attempts` integer NOT NULL DEFAULT 0,
    `last_status` integer NOT NULL DEFAULT 0,
    `last_error` text NOT NULL DEFAULT "",
    `created_at` datetime,
    `updated_at` datetime,
    `delivered_at` datetime
);
CREATE UNIQUE INDEX `idx_callbacks_message_id` ON `callbacks`(`message_id`);
CREATE INDEX `idx_callback_subject` ON `callbacks`(`subject`,`subject_id`);
CREATE INDEX `idx_callbacks_account_id` ON `callbacks`(`account_id`);

CREATE TABLE `callback_attempts` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `callback_id` integer NOT NULL,
    `account_id` integer NOT NULL,
    `attempt` integer NOT NULL,
    `status_code` integer NOT NULL DEFAULT 0,
    `error` text NOT NULL DEFAULT "",
    `duration_ms` integer NOT NULL,
    `created_at` datetime
);
CREATE INDEX `idx_callback_attempts_callback_id` ON `callback_attempts`(`callback_id`);

CREATE TABLE `verifications` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `flow` text NOT NULL,
    `status` text NOT NULL,
    `reference` text NOT NULL DEFAULT "",
    `expected_given_names` text NOT NULL DEFAULT "",
    `expected_surname` text NOT NULL DEFAULT "",
    `expected_date_of_birth` text NOT NULL DEFAULT "",
    `expected_street` text NOT NULL DEFAULT "",
    `expected_city` text NOT NULL DEFAULT "",
    `expected_state` text NOT NULL DEFAULT "",
    `expected_zip` text NOT NULL DEFAULT "",
    `expected_country` text NOT NULL DEFAULT "",
    `submitted_at` datetime,
    `erased_at` datetime,
    `finished_at` datetime,
    `created_at` datetime,
    `updated_at` datetime
);
CREATE INDEX `idx_verifications_account_id` ON `verifications`(`account_id`);

CREATE TABLE `documents` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `verification_id` integer NOT NULL,
    `context_type` text NOT NULL,
    `document_type_id` integer NOT NULL,
    `country` text NOT NULL,
    `status` integer NOT NULL,
    `front_key` text NOT NULL,
    `front_type` text NOT NULL,
    `back_key` text NOT NULL DEFAULT "",
    `back_type` text NOT NULL DEFAULT "",
    `checks` text NOT NULL DEFAULT "",
    `descriptor` blob,
    `revision` integer NOT NULL DEFAULT 1,
    `created_at` datetime,
    `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_document_context` ON `documents`(`verification_id`,`context_type`);
CREATE INDEX `idx_documents_account_id` ON `documents`(`account_id`);

CREATE TABLE `extracted_fields` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `document_id` integer NOT NULL,
    `key` text NOT NULL,
    `value` text NOT NULL,
    `source` text NOT NULL,
    `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_extracted_key` ON `extracted_fields`(`document_id`,`key`);

CREATE TABLE `extracted_changes` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `document_id` integer NOT NULL,
    `key` text NOT NULL,
    `old_value` text NOT NULL,
    `new_value` text NOT NULL,
    `api_key_id` integer NOT NULL,
    `created_at` datetime
);
CREATE INDEX `idx_extracted_changes_document_id` ON `extracted_changes`(`document_id`);

CREATE TABLE `decisions` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `verification_id` integer NOT NULL,
    `document_id` integer NOT NULL DEFAULT 0,
    `status` text NOT NULL,
    `validation_workflow` text NOT NULL,
    `comment` text NOT NULL DEFAULT "",
    `reasons` text NOT NULL DEFAULT "",
    `previous_status` text NOT NULL DEFAULT "",
    `api_key_id` integer NOT NULL DEFAULT 0,
    `canceled_at` datetime,
    `created_at` datetime,
    `updated_at` datetime
);
CREATE INDEX `idx_decisions_verification_id` ON `decisions`(`verification_id`);
CREATE INDEX `idx_decisions_account_id` ON `decisions`(`account_id`);

CREATE TABLE `webhook_endpoints` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `url` text NOT NULL,
    `events` text NOT NULL DEFAULT "",
    `disabled` numeric NOT NULL DEFAULT false,
    `deleted_at` datetime,
    `created_at` datetime,
    `updated_at` datetime
);
CREATE INDEX `idx_webhook_endpoints_account_id` ON `webhook_endpoints`(`account_id`);

CREATE TABLE `audit_events` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `created_at` datetime NOT NULL,
    `actor` text NOT NULL,
    `action` text NOT NULL,
    `object` text NOT NULL DEFAULT "",
    `ip` text NOT NULL DEFAULT "",
    `request_id` text NOT NULL DEFAULT ""
);
CREATE INDEX `idx_audit_events_object` ON `audit_events`(`object`);
CREATE INDEX `idx_audit_events_action` ON `audit_events`(`action`);
CREATE INDEX `idx_audit_account` ON `audit_events`(`account_id`,`created_at`);

CREATE TABLE `encryption_keys` (
    `name` text,
    `wrapped` blob NOT NULL,
    `master_key_id` integer NOT NULL,
    `created_at` datetime,
    `updated_at` datetime,
    PRIMARY KEY (`name`)
);

CREATE TABLE `console_users` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `email` text NOT NULL,
    `role` text NOT NULL,
    `password_hash` text NOT NULL,
    `disabled_at` datetime,
    `created_at` datetime
);
CREATE UNIQUE INDEX `idx_console_users_email` ON `console_users`(`email`);
CREATE INDEX `idx_console_users_account_id` ON `console_users`(`account_id`);

CREATE TABLE `console_sessions` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `user_id` integer NOT NULL,
    `token_hash` blob NOT NULL,
    `csrf` text NOT NULL,
    `expires_at` datetime NOT NULL,
    `created_at` datetime
);
CREATE INDEX `idx_console_sessions_expires_at` ON `console_sessions`(`expires_at`);
CREATE UNIQUE INDEX `idx_console_sessions_token_hash` ON `console_sessions`(`token_hash`);
CREATE INDEX `idx_console_sessions_user_id` ON `console_sessions`(`user_id`);
