-- Schedules: cron expressions in a time zone; each slot is claimed by one instance (the
-- conditional update of next_run_at) and becomes a job.
CREATE TABLE schedules (
    code TEXT PRIMARY KEY,
    description_sv TEXT NOT NULL,
    description_en TEXT NOT NULL,
    cron TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    job_kind TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    next_run_at TIMESTAMPTZ NOT NULL,
    last_slot_at TIMESTAMPTZ,
    last_run_at TIMESTAMPTZ,
    last_outcome TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
