-- The access log moves to a file of its own, attached to every connection as `audit`
-- (see `file_beside` in server/src/store/audit.rs): nearly every read writes log rows, and
-- commits to the main file empty the other connections' page caches. Its rows move with it.
-- The file may hold a log already (its database was deleted and created again): the log is
-- append-only, so its rows stay and these are added after them.
CREATE TABLE IF NOT EXISTS audit.audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_person_id BLOB NOT NULL,
    subject_person_id BLOB NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit.audit_log (at, actor_person_id, subject_person_id, action, detail)
SELECT at, actor_person_id, subject_person_id, action, detail FROM main.audit_log ORDER BY id;

DROP TRIGGER main.audit_log_no_update;
DROP TRIGGER main.audit_log_no_delete;
DROP TABLE main.audit_log;

CREATE INDEX IF NOT EXISTS audit.audit_log_subject ON audit_log (subject_person_id, at);
CREATE INDEX IF NOT EXISTS audit.audit_log_actor ON audit_log (actor_person_id, at);

CREATE TRIGGER IF NOT EXISTS audit.audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit.audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
