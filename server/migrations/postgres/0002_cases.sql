-- Case handling: case types as data, cases with gapless registry numbers, their history,
-- notes, documents, subtasks and decisions; the leave-of-absence application; granted-leave
-- absences; background jobs; the in-app inbox.

CREATE TABLE case_types (
    code TEXT PRIMARY KEY,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    -- Legal handling time in calendar days, from registration to the due date.
    handling_days INTEGER NOT NULL CHECK (handling_days > 0),
    publicity_class TEXT NOT NULL CHECK (publicity_class IN ('public', 'restricted', 'confidential')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE case_statuses (
    case_type TEXT NOT NULL REFERENCES case_types (code),
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    public_name_sv TEXT NOT NULL,
    public_name_en TEXT NOT NULL,
    notify_applicant BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_type, code)
);

CREATE TABLE case_transitions (
    case_type TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_type, from_status, to_status),
    FOREIGN KEY (case_type, from_status) REFERENCES case_statuses (case_type, code),
    FOREIGN KEY (case_type, to_status) REFERENCES case_statuses (case_type, code)
);

CREATE TABLE document_types (
    case_type TEXT NOT NULL REFERENCES case_types (code),
    code TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    publicity_class TEXT NOT NULL CHECK (publicity_class IN ('public', 'restricted', 'confidential')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_type, code)
);

CREATE TABLE result_types (
    case_type TEXT NOT NULL REFERENCES case_types (code),
    outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected', 'dismissed', 'withdrawn')),
    -- NULL: kept permanently; otherwise disposed of this many years after closing.
    retention_years INTEGER,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_type, outcome)
);

-- The last registry number handed out per year; incremented in the creating transaction, so a
-- number is used only if its case is committed (gapless).
CREATE TABLE case_number_series (
    year INTEGER PRIMARY KEY,
    last_serial INTEGER NOT NULL
);

CREATE TABLE cases (
    id UUID PRIMARY KEY,
    year INTEGER NOT NULL,
    serial INTEGER NOT NULL,
    case_type TEXT NOT NULL REFERENCES case_types (code),
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    applicant_id UUID NOT NULL REFERENCES persons (id),
    subject_id UUID REFERENCES persons (id),
    owner_id UUID REFERENCES persons (id),
    deadline DATE,
    due_date DATE NOT NULL,
    publicity_class TEXT NOT NULL CHECK (publicity_class IN ('public', 'restricted', 'confidential')),
    outcome TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    UNIQUE (year, serial),
    FOREIGN KEY (case_type, status) REFERENCES case_statuses (case_type, code)
);
CREATE INDEX cases_owner_queue ON cases (owner_id, due_date, id);
CREATE INDEX cases_status_queue ON cases (status, due_date, id);
CREATE INDEX cases_subject ON cases (subject_id);

-- Who the case concerns as a party: the applicant and co-applicants (the other guardian).
CREATE TABLE case_parties (
    case_id UUID NOT NULL REFERENCES cases (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    role TEXT NOT NULL CHECK (role IN ('applicant', 'co_applicant')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_parties_person ON case_parties (person_id);

CREATE TABLE case_events (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases (id),
    at TIMESTAMPTZ NOT NULL,
    -- NULL when an automated step acted.
    actor_id UUID REFERENCES persons (id),
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, at);

CREATE TABLE case_notes (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases (id),
    author_id UUID NOT NULL REFERENCES persons (id),
    internal BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at);

CREATE TABLE case_documents (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL,
    document_type TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    publicity_class TEXT NOT NULL CHECK (publicity_class IN ('public', 'restricted', 'confidential')),
    created_by UUID REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, position)
);

CREATE TABLE case_subtasks (
    id UUID PRIMARY KEY,
    case_id UUID NOT NULL REFERENCES cases (id),
    assignee_id UUID NOT NULL REFERENCES persons (id),
    description TEXT NOT NULL,
    due_date DATE,
    status TEXT NOT NULL CHECK (status IN ('new', 'open', 'solved')),
    answer TEXT,
    created_by UUID NOT NULL REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_subtasks_case ON case_subtasks (case_id);
CREATE INDEX case_subtasks_assignee ON case_subtasks (assignee_id, status);

CREATE TABLE decisions (
    case_id UUID PRIMARY KEY REFERENCES cases (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected', 'dismissed', 'withdrawn')),
    legal_basis TEXT NOT NULL,
    valid_from DATE,
    valid_to DATE,
    motivation TEXT NOT NULL,
    decided_by UUID NOT NULL REFERENCES persons (id),
    decided_on DATE NOT NULL,
    appeal_information TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE leave_applications (
    case_id UUID PRIMARY KEY REFERENCES cases (id),
    pupil_id UUID NOT NULL REFERENCES persons (id),
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    reason TEXT NOT NULL,
    school_days INTEGER NOT NULL,
    -- The other guardian, who must confirm before the application goes to decision.
    second_guardian_id UUID REFERENCES persons (id),
    confirmed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (to_date >= from_date)
);
CREATE INDEX leave_applications_pupil ON leave_applications (pupil_id);

-- SS 12000 absence: granted leave written by a decided leave case.
CREATE TABLE absences (
    id UUID PRIMARY KEY,
    person_id UUID NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('granted_leave', 'reported_absence')),
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    case_id UUID REFERENCES cases (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX absences_person ON absences (person_id, from_date);

CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    run_after TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    locked_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_after);

CREATE TABLE inbox_messages (
    id UUID PRIMARY KEY,
    person_id UUID NOT NULL REFERENCES persons (id),
    case_id UUID REFERENCES cases (id),
    subject_sv TEXT NOT NULL,
    subject_en TEXT NOT NULL,
    body_sv TEXT NOT NULL,
    body_en TEXT NOT NULL,
    read_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX inbox_messages_person ON inbox_messages (person_id, created_at);
