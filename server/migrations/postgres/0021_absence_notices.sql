-- The same-day notice of unexcused absence: what was last told to the family of a pupil about
-- a day (the lessons and minutes), so that a repeat says nothing new and a change sends a
-- correction. One row per pupil and day.
CREATE TABLE absence_notices (
    pupil_id UUID NOT NULL REFERENCES persons (id),
    date DATE NOT NULL,
    content TEXT NOT NULL,
    notices INTEGER NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pupil_id, date)
);
