-- An Idempotency-Key is its caller's own: another principal sending the same key gets a run of its
-- own, never the first caller's (nor learns that the key was used). Keys already stored take their
-- requester from the run they name (written in the same transaction).
ALTER TABLE idempotency_keys ADD COLUMN requester_issuer TEXT, ADD COLUMN requester_subject TEXT;
UPDATE idempotency_keys k
   SET requester_issuer = r.requester_issuer, requester_subject = r.requester_subject
  FROM run_requests r
 WHERE r.run_id = k.run_id;
DELETE FROM idempotency_keys WHERE requester_subject IS NULL;
ALTER TABLE idempotency_keys
    ALTER COLUMN requester_issuer SET NOT NULL,
    ALTER COLUMN requester_subject SET NOT NULL,
    DROP CONSTRAINT idempotency_keys_pkey,
    ADD PRIMARY KEY (workspace, requester_issuer, requester_subject, idem_key);
