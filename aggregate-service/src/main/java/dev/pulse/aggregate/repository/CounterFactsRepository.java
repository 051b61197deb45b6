package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.CounterDelta;
import dev.pulse.aggregate.domain.CounterDelta.ContentDay;
import dev.pulse.aggregate.domain.CounterDelta.ContentEngagement;
import dev.pulse.aggregate.domain.NewConnections;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Facts that are sums, added to per batch of new events: connections, content engagement (with who played what,
 * for exact unique players) and the daily quality counters. Exact because only events new to the raw store reach here, in the same transaction.
 */
@ApplicationScoped
public class CounterFactsRepository {
    /* the pairs the statement inserted rather than updated (an updated row's new version carries the upsert's row lock in xmax) */
    private static final String CONNECTIONS = """
            INSERT INTO fact_user_connections AS f (app_id, event_date, sender_id, receiver_id, messages_count)
            SELECT app_id, event_date, sender_id, receiver_id, messages_count
            FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::int[]) WITH ORDINALITY
                AS c(app_id, event_date, sender_id, receiver_id, messages_count, row_number)
            ORDER BY row_number
            ON CONFLICT (app_id, event_date, sender_id, receiver_id) DO UPDATE SET messages_count = f.messages_count + EXCLUDED.messages_count
            RETURNING app_id, event_date, sender_id, receiver_id, xmax = 0 AS inserted""";

    private static final String CONTENT = """
            INSERT INTO fact_content_engagement_daily AS f (app_id, event_date, content_id, device, events, plays,
                engagement_seconds, engagement_pct_sum, engagement_pct_count, avg_engagement_pct)
            VALUES ($1, $2, $3, $4, $5, $6, $7::float8, $8::float8, $9::int, CASE WHEN $9::int > 0 THEN $8::float8 / $9::int END)
            ON CONFLICT (app_id, event_date, content_id, device) DO UPDATE SET
                events = f.events + EXCLUDED.events,
                plays = f.plays + EXCLUDED.plays,
                engagement_seconds = f.engagement_seconds + EXCLUDED.engagement_seconds,
                engagement_pct_sum = f.engagement_pct_sum + EXCLUDED.engagement_pct_sum,
                engagement_pct_count = f.engagement_pct_count + EXCLUDED.engagement_pct_count,
                avg_engagement_pct = CASE WHEN f.engagement_pct_count + EXCLUDED.engagement_pct_count > 0 THEN
                    (f.engagement_pct_sum + EXCLUDED.engagement_pct_sum) / (f.engagement_pct_count + EXCLUDED.engagement_pct_count) END""";

    private static final String PLAYERS = """
            INSERT INTO content_daily_players (app_id, content_id, event_date, user_id)
            SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[])
            ON CONFLICT DO NOTHING""";

    private static final String QUALITY = """
            INSERT INTO quality_daily AS f (app_id, event_date, accepted, late, clamped) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (app_id, event_date) DO UPDATE SET
                accepted = f.accepted + EXCLUDED.accepted, late = f.late + EXCLUDED.late, clamped = f.clamped + EXCLUDED.clamped""";

    /** @return the connections that are new to fact_user_connections, for fact_daily_messenger's distinct users */
    public Uni<NewConnections> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        CounterDelta delta = CounterDelta.of(fresh);
        List<EnrichedEvent> plays = delta.plays();
        NewConnections added = new NewConnections();
        return connections(connection, delta.connections(), added)
                .flatMap(x -> Sql.batch(connection, CONTENT, delta.content().entrySet().stream().map(c -> {
                    ContentDay k = c.getKey();
                    ContentEngagement v = c.getValue();
                    return Tuple.from(new Object[] {k.appId(), k.date(), k.contentId(), k.device(), v.events(), v.plays(),
                            v.engagement().seconds(), v.engagement().pctSum(), v.engagement().pctCount()});
                }).toList()))
                .flatMap(x -> plays.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(PLAYERS).execute(Tuple.from(new Object[] {
                        plays.stream().map(EnrichedEvent::appId).toArray(String[]::new),
                        plays.stream().map(EnrichedEvent::contentId).toArray(String[]::new),
                        plays.stream().map(EnrichedEvent::eventDate).toArray(LocalDate[]::new),
                        plays.stream().map(EnrichedEvent::userId).toArray(String[]::new)})).replaceWithVoid())
                .flatMap(x -> Sql.batch(connection, QUALITY, delta.quality().entrySet().stream().map(q -> Tuple.of(q.getKey().appId(),
                        q.getKey().date(), q.getValue().accepted(), q.getValue().late(), q.getValue().clamped())).toList()))
                .replaceWith(added);
    }

    private static Uni<Void> connections(SqlConnection connection, Map<CounterDelta.Connection, Integer> messages, NewConnections added) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<CounterDelta.Connection> keys = List.copyOf(messages.keySet());
        return connection.preparedQuery(CONNECTIONS).execute(Tuple.from(new Object[] {
                keys.stream().map(CounterDelta.Connection::appId).toArray(String[]::new),
                keys.stream().map(CounterDelta.Connection::date).toArray(LocalDate[]::new),
                keys.stream().map(CounterDelta.Connection::sender).toArray(String[]::new),
                keys.stream().map(CounterDelta.Connection::receiver).toArray(String[]::new),
                keys.stream().map(messages::get).toArray(Integer[]::new)})).invoke(rows -> {
                    for (Row row : rows) {
                        if (row.getBoolean("inserted")) {
                            added.add(new CounterDelta.Connection(row.getString("app_id"), row.getLocalDate("event_date"),
                                    row.getString("sender_id"), row.getString("receiver_id")));
                        }
                    }
                }).replaceWithVoid();
    }
}
