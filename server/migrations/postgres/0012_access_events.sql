-- The access log becomes one row per logged read (an event) naming every person read,
-- instead of one row per person, with the per-person and per-reader index beside it (see
-- server/src/store/audit.rs; on SQLite that index is filled in behind, here with the event).
CREATE TABLE access_events (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_person_id UUID NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    -- The persons whose data was read.
    subjects UUID[] NOT NULL
);
-- No foreign keys to access_events: these rows are written in the statement that writes
-- their event (and never changed), and a key check per person read would cost each request
-- 50 lookups, with plans cached per connection while the table was still empty.
CREATE TABLE access_subjects (
    subject_person_id UUID NOT NULL,
    event_id BIGINT NOT NULL,
    PRIMARY KEY (subject_person_id, event_id)
);
CREATE TABLE access_actors (
    actor_person_id UUID NOT NULL,
    event_id BIGINT NOT NULL,
    PRIMARY KEY (actor_person_id, event_id)
);

INSERT INTO access_events (at, actor_person_id, action, detail, subjects)
SELECT at, actor_person_id, action, detail, ARRAY[subject_person_id] FROM audit_log ORDER BY id;
INSERT INTO access_subjects (subject_person_id, event_id)
SELECT subjects[1], id FROM access_events;
INSERT INTO access_actors (actor_person_id, event_id)
SELECT actor_person_id, id FROM access_events;
DROP TABLE audit_log;
DROP FUNCTION audit_log_is_append_only();

CREATE FUNCTION access_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_events_append_only BEFORE UPDATE OR DELETE ON access_events
    FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only();
CREATE TRIGGER access_subjects_append_only BEFORE UPDATE OR DELETE ON access_subjects
    FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only();
CREATE TRIGGER access_actors_append_only BEFORE UPDATE OR DELETE ON access_actors
    FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only();
