-- Inter-municipal compensation (IKE, use case 7): an adult student of this municipality studies
-- at a provider in another municipality, which invoices this one once the application is
-- approved.

-- Other municipalities and where their education office receives mail (register data).
CREATE TABLE municipalities (
    code TEXT PRIMARY KEY,           -- the four-digit kommunkod, e.g. 2281
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The legal basis a case type's decisions cite, editable by administrators.
CREATE TABLE legal_bases (
    case_type TEXT PRIMARY KEY REFERENCES case_types (code),
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BLOB REFERENCES persons (id)
);

-- What the student applied for, and what the automated step read from the register.
CREATE TABLE ike_applications (
    case_id BLOB PRIMARY KEY REFERENCES cases (id),
    student_id BLOB NOT NULL REFERENCES persons (id),
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    provider TEXT NOT NULL,
    course TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    -- Read from the register by the automated step (NULL until it has run).
    age INTEGER,
    residence TEXT,
    studies TEXT,
    register_read_at TEXT,
    created_at TEXT NOT NULL
);

-- The register's record of IKE decisions: who, where, when, and the outcome.
CREATE TABLE ike_decisions (
    case_id BLOB PRIMARY KEY REFERENCES cases (id),
    student_id BLOB NOT NULL REFERENCES persons (id),
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    outcome TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ike_decisions_student ON ike_decisions (student_id);
