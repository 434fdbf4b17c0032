-- Login throttling per username and client address together (so that nobody can lock
-- another person out from elsewhere), with a much higher per-username backstop; the account
-- holder is told when their account was throttled, at most once per window.
ALTER TABLE login_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_username_client ON login_failures (username, client, at);

CREATE TABLE login_throttle_notices (
    username TEXT PRIMARY KEY,
    notified_at TIMESTAMPTZ NOT NULL
);
