-- The head of a pool's queue is read in seq order (AttemptStore.WAITING). With a unique index on
-- seq beside attempts_waiting, the planner could walk every attempt of the table in seq order,
-- finished ones included, filtering for the pool's waiting ones: it expects them spread evenly,
-- but they are all at the end, so a drain behind months of history read all of it (LongQueueTest
-- found 100,008 rows read for 9). A sequence already makes seq unique; without this index only
-- attempts_waiting (pool, seq) gives that order, and each attempt's insert updates one index less.
ALTER TABLE attempts DROP CONSTRAINT attempts_seq_key;
