-- Issue 15: a batch whose times do not all follow a row's stored ones (a client's clock jitter is enough) merged the
-- two lists by decoding and encoding every stored time in SQL, so a busy user's row cost its whole week of times
-- in every batch. The stored times before the first added one stay as they are (found by binary search, each probe
-- one time read at its offset); only the tail from there is merged with the added times. Same result as V25's merge:
-- the ascending distinct union (EventTimesMergeIT checks the two against each other and against Java).
CREATE OR REPLACE FUNCTION user_event_times_merge(stored bytea, added bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    first_added bigint;
    low int := 0;
    high int := length(stored) / 8;
    middle int;
BEGIN
    IF length(added) = 0 THEN
        RETURN stored;
    ELSIF length(stored) = 0 THEN
        RETURN added;
    END IF;
    first_added := user_event_times_at(added, 0);
    IF user_event_times_at(stored, length(stored) - 8) < first_added THEN
        RETURN stored || added;
    END IF;
    -- low: how many stored times come before the first added one
    WHILE low < high LOOP
        middle := (low + high) / 2;
        IF user_event_times_at(stored, middle * 8) < first_added THEN
            low := middle + 1;
        ELSE
            high := middle;
        END IF;
    END LOOP;
    RETURN substring(stored FROM 1 FOR low * 8)
        || user_event_times_encode(ARRAY(SELECT user_event_times_decode(substring(stored FROM low * 8 + 1))
                                         UNION ALL SELECT user_event_times_decode(added)));
END $$;
