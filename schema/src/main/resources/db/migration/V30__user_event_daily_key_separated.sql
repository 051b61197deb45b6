-- V28's key ran the quoted values together, so two rows could share it: country "x" and city "y'z" read
-- 'x''y''z', as do country "x'y" and city "z". aggregate's one-statement upsert then failed the whole batch
-- ("cannot affect row a second time"), and the per-row upsert before it merged the two rows. With a comma between
-- them the text reads back one way only: a quoted value ends at a quote no second quote follows, NULL is unquoted.
-- The index is built anew in this transaction (reads and writes of the table wait for it); rows V28's key merged
-- stay merged until fact_user_daily_rebuild(app) rebuilds the app's.
DROP INDEX fact_user_event_daily_key;
CREATE OR REPLACE FUNCTION fact_user_event_daily_side(event text, category text, device text, host text, content_type text,
                                                      gender smallint, age smallint, user_os text, source text, country text,
                                                      city text, exp_group int)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT md5(quote_nullable(event) || ',' || quote_nullable(category) || ',' || quote_nullable(device) || ','
               || quote_nullable(host) || ',' || quote_nullable(content_type) || ',' || quote_nullable(gender::text) || ','
               || quote_nullable(age::text) || ',' || quote_nullable(user_os) || ',' || quote_nullable(source) || ','
               || quote_nullable(country) || ',' || quote_nullable(city) || ',' || quote_nullable(exp_group::text))
$$;
CREATE UNIQUE INDEX fact_user_event_daily_key ON fact_user_event_daily (app_id, event_date, user_id,
    fact_user_event_daily_side(event, category, device, host, content_type, gender, age, user_os, source, country, city, exp_group));
