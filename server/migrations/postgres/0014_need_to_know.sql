-- Need to know for case staff (server/src/access.rs).

-- The case types a case worker's or registrar's duty is limited to; a duty without rows here
-- covers every case type (so that a case type added later is never left without handlers).
CREATE TABLE duty_case_types (
    duty_id UUID NOT NULL REFERENCES duties (id),
    case_type TEXT NOT NULL REFERENCES case_types (code),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (duty_id, case_type)
);

-- The school a case was routed to (a leave for the pupil's mentor or principal); NULL for a
-- case the municipality's case office handles. Case workers reach only the office's cases
-- and those of a school their duty is at.
ALTER TABLE cases ADD COLUMN routed_to_organisation_id UUID REFERENCES organisations (id);
UPDATE cases SET routed_to_organisation_id = (
    SELECT COALESCE(d.organisation_id, u.parent_id)
      FROM duties d
      LEFT JOIN groups g ON g.id = d.group_id
      LEFT JOIN organisations u ON u.id = g.unit_id
     WHERE d.person_id = cases.owner_id AND d.duty IN ('principal', 'mentor', 'teacher')
     ORDER BY d.duty DESC
     LIMIT 1)
 WHERE owner_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM duties d WHERE d.person_id = cases.owner_id
                                            AND d.duty = 'case_worker');

-- A case owner's explicit, logged step to see a protected subject's identity: owning a case
-- alone does not unmask them.
CREATE TABLE case_identity_disclosures (
    case_id UUID NOT NULL REFERENCES cases (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
