-- Every status a delivery passes through (queued, sent, failed …), with the error of a failed
-- attempt: the recipient's delivery history for the operator, and proof that a retried send
-- was recorded once.
CREATE TABLE message_delivery_events (
    id BIGSERIAL PRIMARY KEY,
    delivery_id UUID NOT NULL REFERENCES message_deliveries (id),
    status TEXT NOT NULL,
    detail TEXT,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX message_delivery_events_delivery ON message_delivery_events (delivery_id, id);
