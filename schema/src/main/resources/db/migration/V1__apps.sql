-- SPEC §1: apps and their keys. Keys are random 256-bit secrets, so an unsalted SHA-256 is enough to
-- make a leaked table useless while keeping lookups an index probe.
CREATE TABLE apps (
    app_id          text PRIMARY KEY CHECK (app_id ~ '^[a-z0-9-]{1,40}$'),
    timezone        text        NOT NULL DEFAULT 'UTC',
    write_key_hash  text        NOT NULL UNIQUE,
    read_token_hash text        NOT NULL UNIQUE,
    -- optional per-app mapping of custom event names to categories
    category_map    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    keys_rotated_at timestamptz NOT NULL DEFAULT now()
);
