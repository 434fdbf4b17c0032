-- The daily planning export (use case 4, step 5): one row per school day the planning module
-- is to receive. A run first adds its own day, then sends every day not sent yet, oldest
-- first, each in its own commit, so a receiver that was down gets the missed days later and
-- a day is never sent twice. A mark changed after its day was sent (the id of its history row
-- is above `change_watermark`) puts the day back as the next revision.
CREATE TABLE planning_exports (
    day DATE PRIMARY KEY,
    revision INTEGER NOT NULL,
    -- NULL until the receiver has acknowledged this revision.
    sent_at TIMESTAMPTZ,
    -- The highest attendance_mark_changes.id the sent figures include.
    change_watermark BIGINT NOT NULL DEFAULT 0,
    row_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX planning_exports_unsent ON planning_exports (sent_at, day);
