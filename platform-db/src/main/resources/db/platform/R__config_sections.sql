-- The version of every configuration section (DESIGN §7), one shape for every service: one row per
-- section and workspace ('' for a global section), bumped once by every change that stores
-- something. The section's content lives in the owning service's own tables.
--
-- Repeatable and idempotent, like R__outbox_parking.sql, so that it applies to databases whatever
-- version they reached: it creates the table where none exists (broker, audit) and brings the two
-- shapes that shipped before the shared framework to this one (the trigger's V1_2: an INT version;
-- the scheduler's V1_2: no workspace column, the section alone as key).
CREATE TABLE IF NOT EXISTS config_sections (
    workspace  TEXT        NOT NULL DEFAULT '',
    section    TEXT        NOT NULL,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT        NOT NULL,
    PRIMARY KEY (workspace, section)
);
ALTER TABLE config_sections ADD COLUMN IF NOT EXISTS workspace TEXT NOT NULL DEFAULT '';
ALTER TABLE config_sections ALTER COLUMN workspace SET DEFAULT '';
ALTER TABLE config_sections ALTER COLUMN version TYPE BIGINT;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_index
                WHERE indrelid = 'config_sections'::regclass AND indisprimary AND indnatts = 1) THEN
        ALTER TABLE config_sections DROP CONSTRAINT config_sections_pkey;
        ALTER TABLE config_sections ADD PRIMARY KEY (workspace, section);
    END IF;
END $$;
