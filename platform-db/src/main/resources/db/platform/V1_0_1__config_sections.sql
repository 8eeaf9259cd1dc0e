-- The version of every configuration section (DESIGN §7), one shape for every service: one row per
-- section and workspace ('' for a global section), bumped once by every change that stores
-- something. The section's content lives in the owning service's own tables.
CREATE TABLE config_sections (
    workspace  TEXT        NOT NULL DEFAULT '',
    section    TEXT        NOT NULL,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT        NOT NULL,
    PRIMARY KEY (workspace, section)
);
