-- Issue 15: the raw store is the source of rebuilds, recomputes and erasure, not of dashboards (the day state and the
-- rollups answer those), and nothing reads it by post, content or host any more: in a standard run these three indexes
-- were never scanned (pg_stat_user_indexes), while every insert kept them, 0.8 of the ~3 index entries an event adds
-- (most events carry a post_id). A rare raw-path question with such a filter reads the app's days through the
-- primary key's (app_id, event_date) prefix instead. events_user (a user's day: sessions, erasure, last seen) and
-- events_receiver (erasure of a user named as receiver) stay.
DROP INDEX IF EXISTS events_post;
DROP INDEX IF EXISTS events_content;
DROP INDEX IF EXISTS events_host;
