-- The access log becomes one row per logged read (an event) naming every person read,
-- instead of one row per person: a case list page wrote 50 rows and 50 random pages of the
-- person index on every request. The per-person index is filled in behind, in sorted rounds,
-- in a file of its own (`audit_index`, see server/src/store/audit.rs), so its writes never
-- hold up a request's. That file is derived from the events and is built again from them
-- where it is missing.
-- The file may hold events already (its database was deleted and created again): they stay.
CREATE TABLE IF NOT EXISTS audit.access_events (
    -- Never reused: rows are never deleted (the triggers below).
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_person_id BLOB NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    -- The persons whose data was read: their ids' 16 bytes one after another.
    subjects BLOB NOT NULL
);
INSERT INTO audit.access_events (at, actor_person_id, action, detail, subjects)
SELECT at, actor_person_id, action, detail, subject_person_id FROM audit.audit_log ORDER BY id;
DROP TRIGGER audit.audit_log_no_update;
DROP TRIGGER audit.audit_log_no_delete;
DROP TABLE audit.audit_log;

CREATE TRIGGER IF NOT EXISTS audit.access_events_no_update BEFORE UPDATE ON access_events
BEGIN
    SELECT RAISE(ABORT, 'access_events is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit.access_events_no_delete BEFORE DELETE ON access_events
BEGIN
    SELECT RAISE(ABORT, 'access_events is append-only');
END;

-- Who was read, and who read, by event, is indexed in the file `audit_index`, whose tables
-- the indexer makes where they are missing (server/src/store/audit.rs, INDEX_TABLES).
