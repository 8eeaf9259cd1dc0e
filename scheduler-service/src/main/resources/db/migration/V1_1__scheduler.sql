-- Scheduler state: runs ⊃ steps ⊃ attempts, pools with their executors, and the slot ledger.

-- One row per configured pool. Its row lock serializes every slot grant in the pool, across
-- all scheduler instances that share this database.
CREATE TABLE pools (
    name       TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Executors declare their slots and renew the registration; only live leases count as capacity.
CREATE TABLE executors (
    pool             TEXT        NOT NULL REFERENCES pools (name),
    executor_id      TEXT        NOT NULL,
    slots            INT         NOT NULL CHECK (slots >= 0),
    lease_expires_at TIMESTAMPTZ NOT NULL,
    registered_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pool, executor_id)
);

-- A run as requested; rejected requests are kept too (with what could be read of them).
CREATE TABLE runs (
    id               TEXT PRIMARY KEY,
    workspace        TEXT,
    pipeline         TEXT,
    pipeline_version INT,
    environment      TEXT,
    status           TEXT        NOT NULL,
    reason           TEXT,
    detail           TEXT,
    failed_step      TEXT,
    run_as           TEXT,
    requester        JSONB,
    parameters       JSONB,
    trigger_name     TEXT,
    traceparent      TEXT,
    requested_at     TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ
);

-- Steps keep their snapshot definition (a StepSpec) so attempts are self-contained.
CREATE TABLE steps (
    run_id      TEXT   NOT NULL REFERENCES runs (id),
    name        TEXT   NOT NULL,
    position    INT    NOT NULL,
    depends_on  TEXT[] NOT NULL,
    definition  JSONB  NOT NULL,
    slots       INT    NOT NULL,
    max_retries INT    NOT NULL,
    status      TEXT   NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- seq gives the FIFO order in which waiting attempts of a pool are dispatched.
CREATE TABLE attempts (
    id               UUID PRIMARY KEY,
    seq              BIGSERIAL   NOT NULL UNIQUE,
    run_id           TEXT        NOT NULL,
    step             TEXT        NOT NULL,
    number           INT         NOT NULL,
    pool             TEXT        NOT NULL REFERENCES pools (name),
    slots            INT         NOT NULL,
    status           TEXT        NOT NULL,
    wait_reason      TEXT,
    executor_id      TEXT,
    slot_start       TIMESTAMPTZ,
    deadline         TIMESTAMPTZ,
    lease_expires_at TIMESTAMPTZ,
    detail           TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    FOREIGN KEY (run_id, step) REFERENCES steps (run_id, name),
    -- a retry can never be created twice
    UNIQUE (run_id, step, number)
);
CREATE INDEX attempts_waiting ON attempts (pool, seq) WHERE status = 'waiting';
CREATE INDEX attempts_leased ON attempts (lease_expires_at) WHERE status IN ('claimed', 'running');
CREATE INDEX attempts_unclaimed ON attempts (deadline) WHERE status = 'scheduled';

-- The slot ledger: one row per attempt that holds slots. Deleted when the attempt ends.
CREATE TABLE slot_leases (
    attempt_id  UUID PRIMARY KEY,
    pool        TEXT        NOT NULL REFERENCES pools (name),
    slots       INT         NOT NULL CHECK (slots > 0),
    acquired_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX slot_leases_pool ON slot_leases (pool);
