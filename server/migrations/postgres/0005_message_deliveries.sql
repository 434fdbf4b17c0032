-- Messages beyond the inbox: per-person contact preferences and the delivery of each message
-- on each channel.
CREATE TABLE contact_preferences (
    person_id UUID PRIMARY KEY REFERENCES persons (id),
    email_enabled BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE message_deliveries (
    id UUID PRIMARY KEY,
    message_id UUID NOT NULL REFERENCES inbox_messages (id),
    person_id UUID NOT NULL REFERENCES persons (id),
    channel TEXT NOT NULL CHECK (channel IN ('email')),
    address TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'no_contact', 'opted_out')),
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX message_deliveries_message ON message_deliveries (message_id);
