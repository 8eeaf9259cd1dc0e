-- The revision of each workspace configuration section (DESIGN §7), bumped once by every
-- PUT .../config/{section} that changes something, so `conductor apply` can name what is in force.
-- The section's content lives in its own tables (pipelines: pipelines + pipeline_versions); this row
-- only counts whole-document changes. Concurrent PUTs of one section are serialized with a
-- transaction-scoped advisory lock, not with this row (a PUT that changes nothing writes nothing).
CREATE TABLE config_sections (
    workspace  TEXT        NOT NULL,
    section    TEXT        NOT NULL,
    version    INT         NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT        NOT NULL,
    PRIMARY KEY (workspace, section)
);
