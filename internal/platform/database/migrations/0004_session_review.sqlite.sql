-- 0004: a session can wait for a person (state REVIEW), who decides it with
-- session.decide; the decision's comment is kept with its event.
ALTER TABLE `session_events` ADD COLUMN `comment` text NOT NULL DEFAULT "";
