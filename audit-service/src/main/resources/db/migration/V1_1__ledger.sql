-- The number of hash chains, fixed at first start (partitions of conductor.audit then) and read
-- from here afterwards: re-partitioning the topic must never re-home existing chains.
CREATE TABLE ledger_meta (
    id         SMALLINT    PRIMARY KEY CHECK (id = 1),
    chains     INT         NOT NULL CHECK (chains > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The last record of each chain. Appenders lock the rows of the chains they touch (in chain
-- order) so several audit instances extend a chain one after the other.
CREATE TABLE chain_heads (
    chain INT    PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT   NOT NULL
);

-- Append-only, one row per recorded event. event is the RFC 8785 canonical text of the
-- (redacted) structured CloudEvent, kept as text because jsonb would re-order keys and
-- re-format numbers, and the hash must be recomputable byte for byte.
CREATE TABLE ledger (
    chain           INT         NOT NULL,
    seq             BIGINT      NOT NULL,
    prev_hash       TEXT        NOT NULL,
    hash            TEXT        NOT NULL,
    topic           TEXT        NOT NULL,
    kafka_partition INT         NOT NULL,
    kafka_offset    BIGINT      NOT NULL,
    record_key      TEXT        NOT NULL,
    type            TEXT        NOT NULL,
    source          TEXT        NOT NULL,
    id              TEXT        NOT NULL,
    subject         TEXT,
    causation_id    TEXT,
    time            TIMESTAMPTZ NOT NULL,
    traceparent     TEXT,
    step            TEXT,
    event           TEXT        NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chain, seq),
    UNIQUE (source, id)
);

CREATE INDEX ledger_record_key ON ledger (record_key);

-- Defence in depth: the service never changes a recorded row. Someone who can disable this
-- trigger can still tamper, which is what POST /api/v1/ledger/verify is for.
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit ledger is append-only (% refused)', TG_OP;
END;
$$;

CREATE TRIGGER ledger_append_only
    BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

CREATE TRIGGER ledger_no_truncate
    BEFORE TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
