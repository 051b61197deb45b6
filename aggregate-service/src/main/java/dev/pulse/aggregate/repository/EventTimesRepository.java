package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.EventTimesDelta;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * user_event_times (V25): each user's event times per event name and week, merged as a set, so a replayed event
 * changes nothing. The times travel as timestamptz and become microseconds in PostgreSQL, exactly as the raw
 * store's event_ts does (extract(epoch) of the same value), so the state and the raw store agree to the microsecond.
 */
@ApplicationScoped
public class EventTimesRepository {
    private static final String UPSERT = """
            INSERT INTO user_event_times AS u (app_id, event, week_start, user_id, times)
            VALUES ($1, $2, $3, $4, user_event_times_encode(ARRAY(
                SELECT (extract(epoch FROM t) * 1000000)::bigint FROM unnest($5::timestamptz[]) AS t)))
            ON CONFLICT (app_id, event, week_start, user_id) DO UPDATE SET times = user_event_times_merge(u.times, EXCLUDED.times)""";

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        return Sql.batch(connection, UPSERT, EventTimesDelta.of(fresh).times().entrySet().stream().map(entry -> {
            EventTimesDelta.Key k = entry.getKey();
            return Tuple.of(k.appId(), k.event(), k.weekStart(), k.userId(), entry.getValue().stream().map(Sql::ts).toArray(OffsetDateTime[]::new));
        }).toList());
    }
}
