-- Ledger retention (conductor.retention.ledger; unset keeps everything). Dropping the oldest
-- records of a chain would cut it off from its genesis, so the last dropped record's seq and hash
-- stay here: verification starts each chain from its checkpoint and says so in its report.
CREATE TABLE ledger_checkpoints (
    chain      INT         PRIMARY KEY,
    seq        BIGINT      NOT NULL,
    hash       TEXT        NOT NULL,
    dropped_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX ledger_recorded_at ON ledger (recorded_at);

-- Still append-only, with one way out: the retention sweep, which says so for its transaction
-- (conductor.ledger_retention = on) and has moved the chain's checkpoint over the record first.
-- A record no checkpoint covers is never deleted, whoever asks.
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('conductor.ledger_retention', true) = 'on'
       AND EXISTS (SELECT 1 FROM ledger_checkpoints c
                    WHERE c.chain = OLD.chain AND c.seq >= OLD.seq) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit ledger is append-only (% refused)', TG_OP;
END;
$$;

-- The checkpoints are guarded as the ledger is: only the retention sweep (saying so) sets them,
-- only forward, and only to a record the ledger holds, with that record's hash; none is ever
-- deleted. So a checkpoint cannot be forged to hide an erased chain.
CREATE FUNCTION ledger_checkpoint_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       OR current_setting('conductor.ledger_retention', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'ledger checkpoints are set by the retention sweep only (% refused)', TG_OP;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.chain <> OLD.chain OR NEW.seq <= OLD.seq) THEN
        RAISE EXCEPTION 'a ledger checkpoint only moves forward';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ledger l
                    WHERE l.chain = NEW.chain AND l.seq = NEW.seq AND l.hash = NEW.hash) THEN
        RAISE EXCEPTION 'a ledger checkpoint names a record the ledger holds, with its hash';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER ledger_checkpoint_guard
    BEFORE INSERT OR UPDATE OR DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION ledger_checkpoint_guard();

CREATE TRIGGER ledger_checkpoint_no_truncate
    BEFORE TRUNCATE ON ledger_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_checkpoint_guard();
