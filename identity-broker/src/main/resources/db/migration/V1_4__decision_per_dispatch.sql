-- An attempt is dispatched again when its claim found no free slot or nobody claimed it in time
-- (the scheduler's slot model, DESIGN §6): each dispatch is decided, and minted for, on its own.
ALTER TABLE decisions ADD COLUMN dispatch INT;
UPDATE decisions SET dispatch = 1 WHERE kind = 'job';
DROP INDEX decisions_one_per_attempt;
CREATE UNIQUE INDEX decisions_one_per_dispatch ON decisions (attempt_id, dispatch) WHERE kind = 'job';
