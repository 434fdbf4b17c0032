-- Case lists read open cases only: index just those, so years of closed cases never slow the
-- first page of "my cases" or the distribution queue (docs/PERFORMANCE.md).
CREATE INDEX cases_owner_open ON cases (owner_id, due_date, id) WHERE closed_at IS NULL;
CREATE INDEX cases_queue ON cases (due_date, id) WHERE status = 'new' AND owner_id IS NULL;
