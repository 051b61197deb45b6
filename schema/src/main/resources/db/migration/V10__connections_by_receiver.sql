-- fact_daily_messenger counts a user-day's distinct senders from the connections received (incremental update)
CREATE INDEX fact_user_connections_receiver ON fact_user_connections (app_id, event_date, receiver_id);
