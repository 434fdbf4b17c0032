-- A principal reopens a lesson's register for a teacher after the editing window has closed;
-- the teacher may then change its marks until `until` (inclusive, a date in Swedish time).
CREATE TABLE lesson_reopenings (
    lesson_id UUID NOT NULL REFERENCES lessons (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    until DATE NOT NULL,
    reopened_by UUID NOT NULL REFERENCES persons (id),
    reopened_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lesson_id, person_id)
);
