-- Each claim carries a token: a step completes (and its effects commit) only while its runner
-- still holds the lease, so a runner that stalled past its lease cannot apply effects that the
-- runner which took the job over applies too.
ALTER TABLE jobs ADD COLUMN lease_token BLOB;

-- The claim reads only waiting and running jobs, in order; done jobs pile up beside them.
-- jobs_due (status, run_after) made SQLite gather and sort every waiting job for each claim.
CREATE INDEX jobs_waiting ON jobs (run_after, id) WHERE status IN ('pending', 'running');
DROP INDEX jobs_due;
-- The operator's list of failures, newest first.
CREATE INDEX jobs_failed ON jobs (updated_at) WHERE status = 'failed';
