-- Follow-up of absence (use case 4): the municipality's rules, which an administrator sets,
-- and the crossings they raised. A crossing is raised once: while its alert is open the rule
-- stays quiet for that pupil (and subject); when the pupil is below the threshold again the
-- alert is cleared, and a later crossing raises a new one.
CREATE TABLE attendance_rules (
    -- invalid_share: invalid absence above threshold % of the lesson time of the last
    --   window_days school days; consecutive_days: absent from every lesson on threshold
    --   school days in a row; same_subject: invalid absence from threshold lessons of one
    --   subject within the last window_days school days.
    code TEXT PRIMARY KEY CHECK (code IN ('invalid_share', 'consecutive_days', 'same_subject')),
    enabled BOOLEAN NOT NULL,
    threshold INTEGER NOT NULL CHECK (threshold > 0),
    window_days INTEGER NOT NULL CHECK (window_days > 0),
    position INTEGER NOT NULL,
    updated_by UUID REFERENCES persons (id),
    updated_at TIMESTAMPTZ NOT NULL
);
INSERT INTO attendance_rules (code, enabled, threshold, window_days, position, updated_at) VALUES
    ('invalid_share', TRUE, 10, 20, 1, '2026-06-01T00:00:00+00:00'),
    ('consecutive_days', TRUE, 3, 20, 2, '2026-06-01T00:00:00+00:00'),
    ('same_subject', TRUE, 3, 20, 3, '2026-06-01T00:00:00+00:00');

CREATE TABLE attendance_alerts (
    id UUID PRIMARY KEY,
    pupil_id UUID NOT NULL REFERENCES persons (id),
    rule_code TEXT NOT NULL REFERENCES attendance_rules (code),
    -- The subject of a same_subject crossing; '' for the other rules.
    subject_code TEXT NOT NULL,
    -- What was seen: the share in %, the days in a row, the lessons missed.
    value INTEGER NOT NULL,
    raised_on DATE NOT NULL,
    cleared_on DATE,
    follow_up_id UUID REFERENCES follow_ups (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX attendance_alerts_open ON attendance_alerts (pupil_id, rule_code, subject_code)
    WHERE cleared_on IS NULL;
