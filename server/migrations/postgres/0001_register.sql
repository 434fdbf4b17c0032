-- The student register (SS 12000-shaped), accounts, sessions and the audit log.

CREATE TABLE organisations (
    id UUID PRIMARY KEY,
    -- municipality | provider | school | unit
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'provider', 'school', 'unit')),
    name TEXT NOT NULL,
    parent_id UUID REFERENCES organisations (id),
    -- For schools: who runs them.
    owner_kind TEXT CHECK (owner_kind IN ('municipal', 'independent')),
    -- For units: forskola | grundskola | fritidshem | gymnasieskola | komvux
    school_form TEXT,
    unit_code TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX organisations_parent ON organisations (parent_id);

CREATE TABLE persons (
    id UUID PRIMARY KEY,
    personal_number TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    protected_identity BOOLEAN NOT NULL DEFAULT FALSE,
    street TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    email TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX persons_name ON persons (family_name, given_name, id);

CREATE TABLE guardianships (
    id UUID PRIMARY KEY,
    guardian_id UUID NOT NULL REFERENCES persons (id),
    child_id UUID NOT NULL REFERENCES persons (id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (guardian_id <> child_id)
);
CREATE INDEX guardianships_guardian ON guardianships (guardian_id);
CREATE INDEX guardianships_child ON guardianships (child_id);

CREATE TABLE groups (
    id UUID PRIMARY KEY,
    unit_id UUID NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('class', 'teaching_group')),
    school_year INTEGER,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX groups_unit ON groups (unit_id);

CREATE TABLE group_memberships (
    id UUID PRIMARY KEY,
    group_id UUID NOT NULL REFERENCES groups (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX group_memberships_group ON group_memberships (group_id);
CREATE INDEX group_memberships_person ON group_memberships (person_id);

-- A member of staff's duty: teacher/mentor of a group, principal of a school, provider admin
-- of a provider, case worker/registrar/administrator of the municipality.
CREATE TABLE duties (
    id UUID PRIMARY KEY,
    person_id UUID NOT NULL REFERENCES persons (id),
    duty TEXT NOT NULL CHECK (duty IN ('teacher', 'mentor', 'principal', 'case_worker',
                                       'provider_admin', 'registrar', 'administrator')),
    organisation_id UUID REFERENCES organisations (id),
    group_id UUID REFERENCES groups (id),
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK ((group_id IS NULL) <> (organisation_id IS NULL))
);
CREATE INDEX duties_person ON duties (person_id);
CREATE INDEX duties_group ON duties (group_id);

CREATE TABLE placements (
    id UUID PRIMARY KEY,
    child_id UUID NOT NULL REFERENCES persons (id),
    unit_id UUID NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('preschool', 'after_school')),
    start_date DATE NOT NULL,
    end_date DATE,
    hours_per_week DOUBLE PRECISION NOT NULL CHECK (hours_per_week > 0 AND hours_per_week <= 60),
    reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX placements_child ON placements (child_id);
CREATE INDEX placements_unit ON placements (unit_id);

CREATE TABLE accounts (
    id UUID PRIMARY KEY,
    person_id UUID NOT NULL UNIQUE REFERENCES persons (id),
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'sv',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's token; the token itself is never stored.
    token_hash TEXT PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_failures (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);

-- Append-only: who read which person's data, what, and when (GDPR access log).
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_person_id UUID NOT NULL,
    subject_person_id UUID NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject_person_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_person_id, at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- Demo municipalities only: the generated logins, printed by `skolflyt demo-accounts`.
CREATE TABLE demo_accounts (
    username TEXT PRIMARY KEY REFERENCES accounts (username),
    role TEXT NOT NULL,
    password TEXT NOT NULL,
    position INTEGER NOT NULL
);
