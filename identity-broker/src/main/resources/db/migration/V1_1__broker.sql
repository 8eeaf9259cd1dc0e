-- The issuer's ES256 keys. private_jwk is plain JSON, or a JWE when
-- conductor.broker.keys.encryption-key is set. The newest unretired key signs; retired keys stay
-- published for the retention period.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    private_jwk TEXT        NOT NULL,
    public_jwk  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);

-- The policy version in force and the digest of the seed it came from (a seed already loaded is
-- not loaded again).
CREATE TABLE policy (
    id             INT PRIMARY KEY CHECK (id = 1),
    policy_version TEXT        NOT NULL,
    seed_digest    TEXT        NOT NULL,
    loaded_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE roles (
    name TEXT PRIMARY KEY
);

CREATE TABLE role_permissions (
    role       TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role, permission)
);

-- A principal (token subject) or a group holds a role at a scope and everything below it.
CREATE TABLE assignments (
    id         BIGSERIAL PRIMARY KEY,
    principal  TEXT,
    group_name TEXT,
    role       TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    CHECK ((principal IS NULL) <> (group_name IS NULL))
);

-- Local clients of the token endpoint; secrets only as PBKDF2 hashes.
CREATE TABLE clients (
    id          TEXT PRIMARY KEY,
    secret_hash TEXT   NOT NULL,
    groups      TEXT[] NOT NULL DEFAULT '{}'
);

-- Every decision: job decisions (one per attempt) and access checks.
CREATE TABLE decisions (
    id                  TEXT PRIMARY KEY,
    kind                TEXT        NOT NULL CHECK (kind IN ('job', 'access')),
    effect              TEXT        NOT NULL CHECK (effect IN ('allow', 'deny')),
    principal           TEXT        NOT NULL,
    run_as              TEXT,
    action              TEXT        NOT NULL,
    resources           TEXT[]      NOT NULL,
    matched_assignments TEXT[]      NOT NULL,
    policy_version      TEXT        NOT NULL,
    reasons             TEXT[]      NOT NULL,
    run_id              TEXT,
    attempt_id          TEXT,
    attempt_number      INT,
    asked_by            TEXT,
    decided_at          TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX decisions_one_per_attempt ON decisions (attempt_id) WHERE kind = 'job';

-- One row per minted credential: its fingerprint (SHA-256), never the credential.
CREATE TABLE leases (
    id            TEXT PRIMARY KEY,
    decision_id   TEXT        NOT NULL REFERENCES decisions (id),
    run_id        TEXT        NOT NULL,
    attempt_id    TEXT        NOT NULL,
    kind          TEXT        NOT NULL,
    resource      TEXT        NOT NULL,
    fingerprint   TEXT        NOT NULL,
    issued_at     TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    revoke_reason TEXT
);

CREATE INDEX leases_live_by_attempt ON leases (attempt_id) WHERE revoked_at IS NULL;
