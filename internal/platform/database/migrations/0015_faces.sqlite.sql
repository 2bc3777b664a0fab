-- 0015: the faces each account has seen or blocks, for the 1:N search
-- (FACE_SEEN_BEFORE, FACE_BLOCKED); deleted rows stay as tombstones for a
-- while so that every process sees them go.
CREATE TABLE `faces` (
    `id` integer PRIMARY KEY AUTOINCREMENT,
    `account_id` integer NOT NULL,
    `session_id` integer NOT NULL DEFAULT 0,
    `verification_id` integer NOT NULL DEFAULT 0,
    `descriptor` blob,
    `doc_key` text NOT NULL DEFAULT "",
    `person_key` text NOT NULL DEFAULT "",
    `block` numeric NOT NULL DEFAULT false,
    `reason` text NOT NULL DEFAULT "",
    `deleted` numeric NOT NULL DEFAULT false,
    `created_at` datetime,
    `updated_at` datetime
);
CREATE INDEX `idx_face_account` ON `faces`(`account_id`,`id`);
CREATE INDEX `idx_face_changes` ON `faces`(`account_id`,`updated_at`);
CREATE INDEX `idx_face_session` ON `faces`(`session_id`);
CREATE INDEX `idx_face_verification` ON `faces`(`verification_id`);
