-- 0008: photo specifications an account defines for itself.
CREATE TABLE `account_specs` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `spec_json` text NOT NULL,
    `created_at` datetime
);
CREATE INDEX `idx_account_spec_account` ON `account_specs`(`account_id`);
