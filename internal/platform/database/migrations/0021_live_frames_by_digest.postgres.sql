-- 0021: live frames found by digest first, so that frames sent before to
-- another account are found by the same index as the account's own.
DROP INDEX idx_live_frame_digest;
CREATE INDEX idx_live_frame_digest ON live_frames (digest, account_id);
