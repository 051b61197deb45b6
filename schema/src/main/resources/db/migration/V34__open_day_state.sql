-- Issue 15: the days not over yet from state too. A dashboard's today was summed per group from the rollups on every
-- call: at 10M events over 30 days, 250-500 ms for an event-side breakdown, growing with the day's events. The
-- rollups' rows never move between values (their keys hold the traits and the event side), so a batch's share of a
-- day's state is its own rollup rows folded: each batch adds a row per value it touched (its users' bitmaps, its sums)
-- to day_value_deltas, and the day's state is the OR and sum of its rows. aggregate's job starts a day with one base
-- row per value read from the rollups in one snapshot, and merges a day's rows when they pile up.

-- One row per app-day that batches add to: held (its values fit the job's bound), and the app version its base was
-- read under (-1 while the base is being read: batches add already, query-api does not read it yet). A recompute,
-- erasure or session rebuild bumps the app's version, and the job reads the base again.
CREATE TABLE open_day_state (
    app_id      text        NOT NULL,
    event_date  date        NOT NULL,
    app_version bigint      NOT NULL,
    held        boolean     NOT NULL,
    built_at    timestamptz NOT NULL,
    PRIMARY KEY (app_id, event_date)
);

-- day_values' columns; many rows per value (the base, then one per batch until merged). Batches leave the session
-- columns at 0 (a batch rewrites its users' sessions rather than adding to them): query-api reads session questions of
-- these days from the rollups.
CREATE TABLE day_value_deltas (LIKE day_values);
CREATE INDEX day_value_deltas_key ON day_value_deltas (app_id, event_date, dimension);
