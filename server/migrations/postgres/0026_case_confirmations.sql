-- Guardians' signing (e-services whose policy is "every acting guardian confirms"): a case
-- waits in awaiting_confirmation until every co-applicant named here has confirmed; one row
-- per confirmation asked for. Leave applications asked the second guardian in their own
-- table; those requests are copied here, so that one confirmation step serves every case type
-- (leave_applications.confirmed_at is no longer written).
CREATE TABLE case_confirmations (
    case_id UUID NOT NULL REFERENCES cases (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    requested_at TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_confirmations_person ON case_confirmations (person_id) WHERE confirmed_at IS NULL;
INSERT INTO case_confirmations (case_id, person_id, requested_at, confirmed_at)
    SELECT case_id, second_guardian_id, created_at, confirmed_at FROM leave_applications
    WHERE second_guardian_id IS NOT NULL;

-- Every case type may wait for the guardians' confirmation before it is distributed.
INSERT INTO case_statuses (case_type, code, position, name_sv, name_en, public_name_sv,
        public_name_en, notify_applicant, created_at, updated_at)
    SELECT code, 'awaiting_confirmation', -1, 'Väntar på vårdnadshavares godkännande',
        'Awaiting the guardians'' confirmation', 'Väntar på den andra vårdnadshavaren',
        'Waiting for the other guardian', TRUE, created_at, created_at
    FROM case_types t
    WHERE NOT EXISTS (SELECT 1 FROM case_statuses s
        WHERE s.case_type = t.code AND s.code = 'awaiting_confirmation');
INSERT INTO case_transitions (case_type, from_status, to_status, created_at, updated_at)
    SELECT t.code, 'awaiting_confirmation', n.to_status, t.created_at, t.created_at
    FROM case_types t
    CROSS JOIN (SELECT 'new' AS to_status UNION ALL SELECT 'withdrawn') n
    WHERE EXISTS (SELECT 1 FROM case_statuses s WHERE s.case_type = t.code AND s.code = n.to_status)
      AND NOT EXISTS (SELECT 1 FROM case_transitions x
        WHERE x.case_type = t.code AND x.from_status = 'awaiting_confirmation'
          AND x.to_status = n.to_status);
