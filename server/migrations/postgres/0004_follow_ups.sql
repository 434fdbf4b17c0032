-- Follow-ups (esas opfølgninger): exceptions from failed jobs, tasks, notifications; teams of
-- staff to assign and share them with.

CREATE TABLE teams (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE team_members (
    team_id UUID NOT NULL REFERENCES teams (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX team_members_person ON team_members (person_id);

CREATE TABLE follow_ups (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('exception', 'task', 'notification')),
    title TEXT NOT NULL,
    details TEXT NOT NULL,
    due_date DATE,
    -- NULL for exceptions the system raised: they belong to the assigned team.
    owner_id UUID REFERENCES persons (id),
    assignee_person_id UUID REFERENCES persons (id),
    assignee_team_id UUID REFERENCES teams (id),
    case_id UUID REFERENCES cases (id),
    subject_person_id UUID REFERENCES persons (id),
    -- For exceptions: the job that failed.
    job_id UUID REFERENCES jobs (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'processed', 'closed')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX follow_ups_assignee_person ON follow_ups (assignee_person_id, status);
CREATE INDEX follow_ups_assignee_team ON follow_ups (assignee_team_id, status);
CREATE INDEX follow_ups_owner ON follow_ups (owner_id, status);

CREATE TABLE follow_up_shares (
    follow_up_id UUID NOT NULL REFERENCES follow_ups (id),
    person_id UUID REFERENCES persons (id),
    team_id UUID REFERENCES teams (id),
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((person_id IS NULL) <> (team_id IS NULL))
);
CREATE INDEX follow_up_shares_follow_up ON follow_up_shares (follow_up_id);
CREATE INDEX follow_up_shares_person ON follow_up_shares (person_id);
CREATE INDEX follow_up_shares_team ON follow_up_shares (team_id);

CREATE TABLE follow_up_events (
    id UUID PRIMARY KEY,
    follow_up_id UUID NOT NULL REFERENCES follow_ups (id),
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID REFERENCES persons (id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX follow_up_events_follow_up ON follow_up_events (follow_up_id, at);
