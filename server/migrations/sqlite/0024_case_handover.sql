-- A case its owner hands over to a team is open and owned by nobody until a distributor
-- assigns it again: the distributors' queue holds new cases and such open ones. This index
-- replaces the queue's index of new cases only.
CREATE INDEX cases_unowned ON cases (due_date, id) WHERE owner_id IS NULL AND closed_at IS NULL;
DROP INDEX cases_queue;
