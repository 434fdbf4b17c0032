-- Attendance per lesson (SS 12000-shaped): the school calendar, weekly timetables, the
-- lessons generated from them, the municipality's list of absence reasons, marks per pupil and
-- lesson, and every change to a mark.

-- Terms, breaks and public holidays per school year ('2026/27'). A row without an
-- organisation holds for the whole municipality; a school may later have its own.
-- School days are the weekdays inside a term that no break or holiday covers.
CREATE TABLE calendar_periods (
    school_year TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('term', 'break', 'holiday')),
    -- ht | vt | hostlov | jullov | sportlov | pasklov | holiday
    code TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    organisation_id UUID REFERENCES organisations (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (school_year, code, start_date),
    CHECK (end_date >= start_date)
);
CREATE INDEX calendar_periods_dates ON calendar_periods (start_date, end_date);

-- Sweden's school year 2026/27 (breaks by week: höstlov v.44, sportlov v.9, påsklov v.13).
INSERT INTO calendar_periods (school_year, kind, code, name_sv, name_en, start_date, end_date, created_at, updated_at) VALUES
    ('2026/27', 'term', 'ht', 'Höstterminen', 'Autumn term', '2026-08-17', '2026-12-18', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'break', 'hostlov', 'Höstlov', 'Autumn break', '2026-10-26', '2026-10-30', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'break', 'jullov', 'Jullov', 'Christmas break', '2026-12-21', '2027-01-06', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'term', 'vt', 'Vårterminen', 'Spring term', '2027-01-07', '2027-06-11', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'break', 'sportlov', 'Sportlov', 'Winter sports break', '2027-03-01', '2027-03-05', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'break', 'pasklov', 'Påsklov', 'Easter break', '2027-03-29', '2027-04-02', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Alla helgons dag', 'All Saints'' Day', '2026-10-31', '2026-10-31', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Julafton', 'Christmas Eve', '2026-12-24', '2026-12-24', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Juldagen', 'Christmas Day', '2026-12-25', '2026-12-25', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Annandag jul', 'Boxing Day', '2026-12-26', '2026-12-26', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Nyårsafton', 'New Year''s Eve', '2026-12-31', '2026-12-31', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Nyårsdagen', 'New Year''s Day', '2027-01-01', '2027-01-01', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Trettondedag jul', 'Epiphany', '2027-01-06', '2027-01-06', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Långfredagen', 'Good Friday', '2027-03-26', '2027-03-26', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Annandag påsk', 'Easter Monday', '2027-03-29', '2027-03-29', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Första maj', 'May Day', '2027-05-01', '2027-05-01', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Kristi himmelsfärdsdag', 'Ascension Day', '2027-05-06', '2027-05-06', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Sveriges nationaldag', 'National Day', '2027-06-06', '2027-06-06', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('2026/27', 'holiday', 'holiday', 'Midsommarafton', 'Midsummer Eve', '2027-06-25', '2027-06-25', '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00');

-- A group's weekly schedule (SS 12000 Activity): one row per weekly lesson, from which the
-- term's lessons are generated; an import may replace it later.
CREATE TABLE timetable_slots (
    id UUID PRIMARY KEY,
    group_id UUID NOT NULL REFERENCES groups (id),
    -- ISO weekday, 1 = Monday.
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    subject_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    room TEXT,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (end_time > start_time)
);
CREATE INDEX timetable_slots_group ON timetable_slots (group_id);

CREATE TABLE timetable_slot_teachers (
    slot_id UUID NOT NULL REFERENCES timetable_slots (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    PRIMARY KEY (slot_id, person_id)
);

-- One lesson on one date (SS 12000 CalendarEvent), in local (Stockholm) time.
CREATE TABLE lessons (
    id UUID PRIMARY KEY,
    group_id UUID NOT NULL REFERENCES groups (id),
    slot_id UUID REFERENCES timetable_slots (id),
    subject_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    room TEXT,
    date DATE NOT NULL,
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    cancelled BOOLEAN NOT NULL DEFAULT FALSE,
    -- When the register was first taken and by whom; NULL until then.
    register_taken_at TIMESTAMPTZ,
    register_taken_by UUID REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (end_time > start_time)
);
CREATE INDEX lessons_group_date ON lessons (group_id, date);
CREATE INDEX lessons_date ON lessons (date);

CREATE TABLE lesson_teachers (
    lesson_id UUID NOT NULL REFERENCES lessons (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    PRIMARY KEY (lesson_id, person_id)
);
CREATE INDEX lesson_teachers_person ON lesson_teachers (person_id, lesson_id);

-- The municipality's list of absence reasons; `valid` says whether the reason makes absence
-- valid (excused). Administrators may add and rename them; codes are never reused.
CREATE TABLE absence_reasons (
    code TEXT PRIMARY KEY,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    valid BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
INSERT INTO absence_reasons (code, name_sv, name_en, valid, position, created_at, updated_at) VALUES
    ('illness', 'Sjukdom', 'Illness', TRUE, 1, '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('granted_leave', 'Beviljad ledighet', 'Granted leave', TRUE, 2, '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('reported_by_guardian', 'Anmäld av vårdnadshavare', 'Reported by guardian', TRUE, 3, '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('late', 'Sen ankomst', 'Late', FALSE, 4, '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00'),
    ('other', 'Annat', 'Other', FALSE, 5, '2026-06-01T00:00:00+00:00', '2026-06-01T00:00:00+00:00');

-- A pupil's attendance at one lesson (SS 12000 Attendance), in minutes. `source` keeps the
-- teacher's register apart from later changes by the principal or the office; `version`
-- counts changes, for the conditional update that turns a stale save into a 409.
CREATE TABLE attendance_marks (
    lesson_id UUID NOT NULL REFERENCES lessons (id),
    pupil_id UUID NOT NULL REFERENCES persons (id),
    attendance_minutes INTEGER NOT NULL CHECK (attendance_minutes >= 0),
    valid_absence_minutes INTEGER NOT NULL CHECK (valid_absence_minutes >= 0),
    invalid_absence_minutes INTEGER NOT NULL CHECK (invalid_absence_minutes >= 0),
    other_activity_minutes INTEGER NOT NULL DEFAULT 0 CHECK (other_activity_minutes >= 0),
    reason TEXT REFERENCES absence_reasons (code),
    reported BOOLEAN NOT NULL DEFAULT TRUE,
    source TEXT NOT NULL CHECK (source IN ('teacher', 'principal', 'office')),
    marked_by UUID NOT NULL REFERENCES persons (id),
    marked_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lesson_id, pupil_id)
);
CREATE INDEX attendance_marks_pupil ON attendance_marks (pupil_id, lesson_id);

-- Every change to a mark: who, when, from (NULL columns for the first mark) and to.
CREATE TABLE attendance_mark_changes (
    id BIGSERIAL PRIMARY KEY,
    lesson_id UUID NOT NULL REFERENCES lessons (id),
    pupil_id UUID NOT NULL REFERENCES persons (id),
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    changed_by UUID NOT NULL REFERENCES persons (id),
    changed_at TIMESTAMPTZ NOT NULL,
    from_attendance_minutes INTEGER,
    from_valid_absence_minutes INTEGER,
    from_invalid_absence_minutes INTEGER,
    from_other_activity_minutes INTEGER,
    from_reason TEXT,
    to_attendance_minutes INTEGER NOT NULL,
    to_valid_absence_minutes INTEGER NOT NULL,
    to_invalid_absence_minutes INTEGER NOT NULL,
    to_other_activity_minutes INTEGER NOT NULL,
    to_reason TEXT
);
CREATE INDEX attendance_mark_changes_mark ON attendance_mark_changes (lesson_id, pupil_id, id);
