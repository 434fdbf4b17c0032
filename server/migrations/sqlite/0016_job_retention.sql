-- Done jobs are deleted SKOLFLYT_JOB_RETENTION_DAYS after they ran. Their idempotency keys stay
-- here, and enqueueing checks them too, so a repeat of a deleted job's key is still a no-op.
CREATE TABLE job_keys (
    idempotency_key TEXT PRIMARY KEY,
    -- When the job that had the key was done.
    done_at TEXT NOT NULL
);

-- The cleanup reads the oldest done jobs in order, not the whole table.
CREATE INDEX jobs_done ON jobs (updated_at) WHERE status = 'done';

-- A job's exception (reopened when a retried job fails again); the cleanup's check that no
-- follow-up refers to a job it deletes, and the foreign-key check of that delete.
CREATE INDEX follow_ups_job ON follow_ups (job_id) WHERE job_id IS NOT NULL;
