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
