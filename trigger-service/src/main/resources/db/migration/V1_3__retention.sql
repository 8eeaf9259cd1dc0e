-- The idempotency-key retention sweep (conductor.retention.idempotency-keys) finds old keys by this.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
