-- The student register (SS 12000-shaped), accounts, sessions and the audit log.
-- Same tables as migrations/postgres: UUIDs as 16-byte BLOBs, dates and times as ISO 8601 TEXT.

CREATE TABLE organisations (
    id BLOB PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'provider', 'school', 'unit')),
    name TEXT NOT NULL,
    parent_id BLOB REFERENCES organisations (id),
    owner_kind TEXT CHECK (owner_kind IN ('municipal', 'independent')),
    school_form TEXT,
    unit_code TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX organisations_parent ON organisations (parent_id);

CREATE TABLE persons (
    id BLOB PRIMARY KEY,
    personal_number TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    protected_identity BOOLEAN NOT NULL DEFAULT FALSE,
    street TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    email TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_name ON persons (family_name, given_name, id);

CREATE TABLE guardianships (
    id BLOB PRIMARY KEY,
    guardian_id BLOB NOT NULL REFERENCES persons (id),
    child_id BLOB NOT NULL REFERENCES persons (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (guardian_id <> child_id)
);
CREATE INDEX guardianships_guardian ON guardianships (guardian_id);
CREATE INDEX guardianships_child ON guardianships (child_id);

CREATE TABLE groups (
    id BLOB PRIMARY KEY,
    unit_id BLOB NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('class', 'teaching_group')),
    school_year INTEGER,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX groups_unit ON groups (unit_id);

CREATE TABLE group_memberships (
    id BLOB PRIMARY KEY,
    group_id BLOB NOT NULL REFERENCES groups (id),
    person_id BLOB NOT NULL REFERENCES persons (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX group_memberships_group ON group_memberships (group_id);
CREATE INDEX group_memberships_person ON group_memberships (person_id);

CREATE TABLE duties (
    id BLOB PRIMARY KEY,
    person_id BLOB NOT NULL REFERENCES persons (id),
    duty TEXT NOT NULL CHECK (duty IN ('teacher', 'mentor', 'principal', 'case_worker',
                                       'provider_admin', 'registrar', 'administrator')),
    organisation_id BLOB REFERENCES organisations (id),
    group_id BLOB REFERENCES groups (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((group_id IS NULL) <> (organisation_id IS NULL))
);
CREATE INDEX duties_person ON duties (person_id);
CREATE INDEX duties_group ON duties (group_id);

CREATE TABLE placements (
    id BLOB PRIMARY KEY,
    child_id BLOB NOT NULL REFERENCES persons (id),
    unit_id BLOB NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('preschool', 'after_school')),
    start_date TEXT NOT NULL,
    end_date TEXT,
    hours_per_week REAL NOT NULL CHECK (hours_per_week > 0 AND hours_per_week <= 60),
    reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX placements_child ON placements (child_id);
CREATE INDEX placements_unit ON placements (unit_id);

CREATE TABLE accounts (
    id BLOB PRIMARY KEY,
    person_id BLOB NOT NULL UNIQUE REFERENCES persons (id),
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'sv',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_person_id BLOB NOT NULL,
    subject_person_id BLOB NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject_person_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_person_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Demo municipalities only: the generated logins, printed by `skolflyt demo-accounts`.
CREATE TABLE demo_accounts (
    username TEXT PRIMARY KEY REFERENCES accounts (username),
    role TEXT NOT NULL,
    password TEXT NOT NULL,
    position INTEGER NOT NULL
);
