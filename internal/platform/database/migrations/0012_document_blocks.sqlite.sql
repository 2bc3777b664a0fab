-- 0012: documents an account refuses from now on (DOCUMENT_BLOCKED).
CREATE TABLE `document_blocks` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `doc_index` text NOT NULL,
    `session_id` integer NOT NULL,
    `reason` text NOT NULL DEFAULT "",
    `created_at` datetime
);
CREATE INDEX `idx_document_block_account` ON `document_blocks`(`account_id`);
