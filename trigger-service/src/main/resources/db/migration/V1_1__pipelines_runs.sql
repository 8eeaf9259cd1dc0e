-- The head of each pipeline: which version is the latest. Locked (FOR UPDATE) while a new version
-- is written, so concurrent PUTs of one pipeline get consecutive versions.
CREATE TABLE pipelines (
    workspace  TEXT        NOT NULL,
    pipeline   TEXT        NOT NULL,
    version    INT         NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT        NOT NULL,
    PRIMARY KEY (workspace, pipeline)
);

-- Every version ever stored; runs snapshot the latest one, and old ones stay for the record.
CREATE TABLE pipeline_versions (
    workspace  TEXT        NOT NULL,
    pipeline   TEXT        NOT NULL,
    version    INT         NOT NULL,
    definition JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT        NOT NULL,
    PRIMARY KEY (workspace, pipeline, version)
);

-- One row per accepted run request (REST or Kafka); the run itself lives in the scheduler.
CREATE TABLE run_requests (
    run_id            UUID        PRIMARY KEY,
    workspace         TEXT        NOT NULL,
    pipeline          TEXT        NOT NULL,
    pipeline_version  INT         NOT NULL,
    environment       TEXT        NOT NULL,
    parameters        JSONB       NOT NULL,
    requester_issuer  TEXT        NOT NULL,
    requester_subject TEXT        NOT NULL,
    trigger           TEXT        NOT NULL,
    idempotency_key   TEXT,
    cause_event_id    TEXT,
    requested_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX run_requests_by_pipeline ON run_requests (workspace, pipeline, requested_at);

-- A key names one run per workspace: a repeated request with it answers the first run.
CREATE TABLE idempotency_keys (
    workspace  TEXT        NOT NULL,
    idem_key   TEXT        NOT NULL,
    pipeline   TEXT        NOT NULL,
    run_id     UUID        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace, idem_key)
);

-- Replay cache for tokens on conductor.triggers: a jti is accepted once. Rows are kept until the
-- token has expired (after that the token check itself refuses it). Only the id is stored, never
-- the token.
CREATE TABLE seen_token_ids (
    issuer     TEXT        NOT NULL,
    jti        TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX seen_token_ids_expiry ON seen_token_ids (expires_at);
