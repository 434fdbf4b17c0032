-- Providers' placement reports (use case 1) and the rate table for resource allocation
-- (use case 2).

-- A placement's group at its unit, and the placement a change of scope continues: a change
-- from a date ends the old row the day before and starts a new one, so that the register as
-- of any date answers the hours in force that day.
ALTER TABLE placements ADD COLUMN group_id UUID REFERENCES groups (id);
ALTER TABLE placements ADD COLUMN continues_id UUID REFERENCES placements (id);
CREATE INDEX placements_unit_dates ON placements (unit_id, start_date, end_date);

-- Every report as the provider made it; the placement it wrote and the case it opened.
CREATE TABLE placement_reports (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('start', 'scope_change', 'end')),
    unit_id UUID NOT NULL REFERENCES organisations (id),
    child_id UUID NOT NULL REFERENCES persons (id),
    placement_id UUID NOT NULL REFERENCES placements (id),
    case_id UUID NOT NULL REFERENCES cases (id),
    report_date DATE NOT NULL,
    hours_per_week DOUBLE PRECISION,
    reason TEXT,
    -- Hours in force before a change of scope; the previous end before an end.
    previous TEXT,
    reported_by UUID NOT NULL REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX placement_reports_unit ON placement_reports (unit_id, created_at);
CREATE INDEX placement_reports_case ON placement_reports (case_id);

-- The yearly amount per child (grundbelopp) by placement form, age group (completed years on
-- the count date, both ends inclusive) and hours band (more than hours_above, at most
-- hours_up_to; no upper limit when NULL), in öre. A new table from a date closes the rows in
-- force the day before: rows are never changed otherwise, so the history stays.
CREATE TABLE allocation_rates (
    id UUID PRIMARY KEY,
    placement_kind TEXT NOT NULL CHECK (placement_kind IN ('preschool', 'after_school')),
    age_from INTEGER NOT NULL CHECK (age_from >= 0),
    age_to INTEGER NOT NULL CHECK (age_to >= age_from),
    hours_above DOUBLE PRECISION NOT NULL CHECK (hours_above >= 0),
    hours_up_to DOUBLE PRECISION CHECK (hours_up_to IS NULL OR hours_up_to > hours_above),
    amount_ore BIGINT NOT NULL CHECK (amount_ore > 0),
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_by UUID REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX allocation_rates_valid ON allocation_rates (valid_from);
