-- Configuration sections (DESIGN §7). The policy in force is the union of the seed's rows and the
-- rows of the broker's config sections; every change of either bumps one revision counter, so a
-- policy version ("<seed policyVersion>" or "<seed policyVersion>+r<revision>") never names two
-- different policies.
ALTER TABLE policy ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

-- Who owns a row: 'seed' (replaced by a seed reload) or 'workspace:<ws>' (replaced only by a PUT of
-- that workspace's section). Existing rows came from the seed.
ALTER TABLE assignments ADD COLUMN owner TEXT NOT NULL DEFAULT 'seed'
    CHECK (owner = 'seed' OR owner LIKE 'workspace:_%');
CREATE INDEX assignments_by_owner ON assignments (owner);

-- Run-as identities of a workspace: a job may run as one only in one of its environments (pools).
-- A section-owned definition overrides a seed-owned one of the same workspace and name.
CREATE TABLE identities (
    workspace    TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    description  TEXT,
    environments TEXT[] NOT NULL CHECK (cardinality(environments) > 0),
    tags         JSONB  NOT NULL DEFAULT '{}',
    owner        TEXT   NOT NULL CHECK (owner = 'seed' OR owner LIKE 'workspace:_%'),
    PRIMARY KEY (workspace, name, owner)
);
CREATE INDEX identities_by_owner ON identities (owner);
