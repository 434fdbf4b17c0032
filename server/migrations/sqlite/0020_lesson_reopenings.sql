-- A principal reopens a lesson's register for a teacher after the editing window has closed;
-- the teacher may then change its marks until `until` (inclusive, a date in Swedish time).
CREATE TABLE lesson_reopenings (
    lesson_id BLOB NOT NULL REFERENCES lessons (id),
    person_id BLOB NOT NULL REFERENCES persons (id),
    until TEXT NOT NULL,
    reopened_by BLOB NOT NULL REFERENCES persons (id),
    reopened_at TEXT NOT NULL,
    PRIMARY KEY (lesson_id, person_id)
);
