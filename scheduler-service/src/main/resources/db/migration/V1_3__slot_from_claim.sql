-- DESIGN §6: a slot is held only while its job runs, from the executor's claim to the outcome.
-- Dispatch no longer takes slots; the claim takes them on the claiming executor's counter.

-- Slots held on each executor, kept in step with slot_leases in the same transaction. A claim
-- takes slots only while used + slots <= slots, so no executor (and no pool, whose capacity is the
-- sum over its live executors) ever runs more than it declared, however many scheduler instances
-- take claims at once: the guarded UPDATE of one small row is the whole check.
ALTER TABLE executors
    ADD COLUMN used INT NOT NULL DEFAULT 0 CHECK (used >= 0);

ALTER TABLE slot_leases
    ADD COLUMN executor_id TEXT;

-- dispatch counts how often the attempt was handed to its pool: a claim names the dispatch it
-- answers, so a job.authorized left over from an earlier dispatch can never claim a later one.
-- claim_by ends a dispatch nobody claimed (the attempt goes back to waiting); timeout_seconds makes
-- the deadline at the claim: claimed at + timeout.
ALTER TABLE attempts
    ADD COLUMN dispatch        INT NOT NULL DEFAULT 0,
    ADD COLUMN claim_by        TIMESTAMPTZ,
    ADD COLUMN timeout_seconds INT;

-- Attempts dispatched before this version were granted their slots at dispatch: those not yet
-- claimed give them back; claimed and running ones keep theirs, now counted on their executor.
UPDATE attempts SET claim_by = deadline, dispatch = 1 WHERE status = 'scheduled';
UPDATE attempts SET dispatch = 1 WHERE status <> 'waiting';
DELETE FROM slot_leases l USING attempts a WHERE a.id = l.attempt_id AND a.status = 'scheduled';
UPDATE slot_leases l SET executor_id = a.executor_id FROM attempts a WHERE a.id = l.attempt_id;
UPDATE executors e SET used = held.slots
    FROM (SELECT pool, executor_id, SUM(slots) AS slots FROM slot_leases GROUP BY pool, executor_id) held
    WHERE e.pool = held.pool AND e.executor_id = held.executor_id;

-- A drain counts what is dispatched but unclaimed (bounded by the dispatch window, never by the
-- queue); the sweeper finds dispatches past their claim_by.
DROP INDEX attempts_unclaimed;
CREATE INDEX attempts_dispatched ON attempts (pool) INCLUDE (slots) WHERE status = 'scheduled';
CREATE INDEX attempts_unclaimed ON attempts (claim_by) WHERE status = 'scheduled';

-- Every waiting attempt names its reason from the start: it waits its turn until a drain says more.
UPDATE attempts SET wait_reason = 'queue' WHERE status = 'waiting' AND wait_reason IS NULL;
