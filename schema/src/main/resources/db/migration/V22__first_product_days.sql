-- Issue 18: 002's day-7 figures per product count a user's first day within that product: the first app-local day
-- with a feed view or like, and with a message sent (SPEC §5: messenger = sent a message). aggregate-service keeps
-- them with first_date, each the least seen.
ALTER TABLE user_first_seen ADD COLUMN first_feed_date date, ADD COLUMN first_messenger_date date;

UPDATE user_first_seen f SET first_feed_date = p.feed, first_messenger_date = p.messenger
FROM (SELECT app_id, user_id, min(event_date) FILTER (WHERE event IN ('feed.view', 'feed.like')) AS feed,
             min(event_date) FILTER (WHERE event = 'message.sent') AS messenger
      FROM events WHERE event IN ('feed.view', 'feed.like', 'message.sent') GROUP BY 1, 2) p
WHERE f.app_id = p.app_id AND f.user_id = p.user_id;
