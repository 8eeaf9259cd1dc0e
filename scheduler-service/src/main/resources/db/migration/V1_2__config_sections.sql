-- Global configuration sections (DESIGN §7). The content lives in the tables the scheduler reads
-- (pools, resource_classes); this table holds each section's version, so every instance can notice
-- a change with one cheap query and reload.
CREATE TABLE config_sections (
    section    TEXT PRIMARY KEY,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT        NOT NULL
);

-- Section `pools`. A pool left out of the document is retired, never deleted: attempts, leases and
-- executors reference its row. Adding it back clears retired_at.
ALTER TABLE pools
    ADD COLUMN paused      BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN description TEXT,
    ADD COLUMN retired_at  TIMESTAMPTZ;

-- Section `resourceClasses`: what each class costs in slots. Steps copy the cost when their run is
-- accepted, so changing a class never changes attempts already created.
CREATE TABLE resource_classes (
    name  TEXT PRIMARY KEY,
    slots INT NOT NULL CHECK (slots BETWEEN 1 AND 10000)
);
