-- The retention sweeps (conductor.retention.decisions, .leases) find old rows by these; a decision
-- a lease still names is kept, looked up by the lease's decision_id.
CREATE INDEX decisions_decided_at ON decisions (decided_at);
CREATE INDEX leases_expires_at ON leases (expires_at);
CREATE INDEX leases_by_decision ON leases (decision_id);
