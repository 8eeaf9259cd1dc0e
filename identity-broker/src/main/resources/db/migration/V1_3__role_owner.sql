-- Who owns a role's permissions: 'seed' (a seed reload sets them to the seed's) or 'section' (created
-- or last changed through the roles config section: a seed reload never touches its permissions, so
-- a reload cannot silently undo an edit). Roles stored before this migration count as the seed's.
ALTER TABLE roles ADD COLUMN owner TEXT NOT NULL DEFAULT 'seed'
    CHECK (owner IN ('seed', 'section'));
