-- Issue 15: a batch's times are appended to their row whatever their order, and whoever reads a row sorts it. V32's
-- merge ran for a third of the rows updated in the standard run (events of one user and name, sent a second apart,
-- arrive out of order: a client's clock jitter is enough), each merge a plpgsql function calling three SQL functions;
-- the upsert was a quarter of PostgreSQL's statement time. Replaying the standard run's 490 batches into a copy of the
-- table took 38.5 s with the merge and 5.7 s appending (bench/RESULTS.md, issue 15, session 34).
-- A row now holds one part per batch that added to it, each part that batch's distinct times ascending, so a time can
-- be there twice: two events of one name and user at the same microsecond, stored by different batches (a replayed
-- event is not: only events new to the raw store reach the state). Readers take the set: query-api sorts and dedups
-- each row it reads (EventTimes.ascending), the daily close counts distinct times, and a cut or a rebuild writes a row
-- ascending and distinct again. The size bound counts the bytes stored, as before.
DROP FUNCTION user_event_times_merge(bytea, bytea);
-- its readers (the merge, and filters by a row's first and last time) assumed rows in order
DROP FUNCTION user_event_times_at(bytea, int);
