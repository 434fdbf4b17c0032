-- E-services defined as data. `e_services` holds each e-service's draft (the definition its
-- administrators edit) and which version is published; `e_service_versions` holds every
-- published version, never changed once written, so a submission always names the exact
-- questions it answered.
CREATE TABLE e_services (
    code TEXT PRIMARY KEY,
    -- The definition being edited, as JSON (shared::e_services::EServiceDefinition).
    draft TEXT NOT NULL,
    -- The version applicants see; NULL while unpublished.
    published_version INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BLOB REFERENCES persons (id)
);

CREATE TABLE e_service_versions (
    code TEXT NOT NULL REFERENCES e_services (code),
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by BLOB REFERENCES persons (id),
    PRIMARY KEY (code, version)
);

-- An applicant's saved answers, resumed on the version they were started on; gone after
-- `expires_at` or once submitted.
CREATE TABLE e_service_drafts (
    id BLOB PRIMARY KEY,
    person_id BLOB NOT NULL REFERENCES persons (id),
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    answers TEXT NOT NULL,
    step INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    UNIQUE (person_id, code),
    FOREIGN KEY (code, version) REFERENCES e_service_versions (code, version)
);
CREATE INDEX e_service_drafts_expiry ON e_service_drafts (expires_at);

-- What was submitted, on which version, and what it became.
CREATE TABLE e_service_submissions (
    id BLOB PRIMARY KEY,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    person_id BLOB NOT NULL REFERENCES persons (id),
    -- The validated answers as JSON, attachments by document id instead of content.
    answers TEXT NOT NULL,
    case_id BLOB REFERENCES cases (id),
    follow_up_id BLOB REFERENCES follow_ups (id),
    created_at TEXT NOT NULL,
    FOREIGN KEY (code, version) REFERENCES e_service_versions (code, version)
);
CREATE INDEX e_service_submissions_person ON e_service_submissions (person_id, created_at);
CREATE INDEX e_service_submissions_case ON e_service_submissions (case_id) WHERE case_id IS NOT NULL;
