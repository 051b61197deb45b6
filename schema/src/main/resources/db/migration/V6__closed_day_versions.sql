-- Bumped by aggregate-service whenever events arrive for an app's past (closed) days: query-api caches answers
-- about closed days under this version, so a late event invalidates them at once.
CREATE TABLE closed_day_versions (
    app_id  text   PRIMARY KEY,
    version bigint NOT NULL
);
