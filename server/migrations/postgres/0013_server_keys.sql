-- Keys the server instances share, made by the first instance that needs one (e.g. the key
-- that seals list cursors, see server/src/pagination.rs). Never shown through the API.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    secret BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
