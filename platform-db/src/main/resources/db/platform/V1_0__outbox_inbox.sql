-- Shared by every service with a database (Flyway location db/platform).
-- Rows wait here, written in the same transaction as the state change, until the relay has
-- published them; the record is stored ready to send (CloudEvent headers incl. traceparent).
CREATE TABLE outbox (
    seq        BIGSERIAL PRIMARY KEY,
    event_id   TEXT        NOT NULL,
    topic      TEXT        NOT NULL,
    record_key TEXT        NOT NULL,
    headers    JSONB       NOT NULL,
    value      BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per consumed event, written in the same transaction as its effect: a redelivered
-- event finds its row and is skipped.
CREATE TABLE inbox (
    source      TEXT        NOT NULL,
    event_id    TEXT        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);
