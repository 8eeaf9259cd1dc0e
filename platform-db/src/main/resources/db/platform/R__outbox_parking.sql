-- Rows the relay can never publish (too large for the broker, a topic the broker says does not
-- exist) are parked with the reason instead of blocking the rows behind them. They stay for an
-- operator to read; nothing retries them. Repeatable and idempotent, so it applies to every
-- service's existing outbox whatever its versioned migrations have reached.
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS parked_at timestamptz;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS parked_reason text;
CREATE INDEX IF NOT EXISTS outbox_unparked ON outbox (seq) WHERE parked_at IS NULL;
-- The retention sweeps (platform-db's RetentionSweeper) find old rows by these.
CREATE INDEX IF NOT EXISTS outbox_parked ON outbox (parked_at) WHERE parked_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS inbox_received_at ON inbox (received_at);
