-- "Notify me when …": a person's standing wish for a notification follow-up on an event, e.g.
-- a case of a type created for a pupil of a unit. NULL case type: every type; NULL unit:
-- every unit the person reaches.
CREATE TABLE follow_up_subscriptions (
    id BLOB PRIMARY KEY,
    person_id BLOB NOT NULL REFERENCES persons (id),
    event TEXT NOT NULL CHECK (event IN ('case_created')),
    case_type TEXT REFERENCES case_types (code),
    unit_id BLOB REFERENCES organisations (id),
    created_at TEXT NOT NULL
);
CREATE INDEX follow_up_subscriptions_person ON follow_up_subscriptions (person_id);
CREATE INDEX follow_up_subscriptions_event ON follow_up_subscriptions (event, case_type);
