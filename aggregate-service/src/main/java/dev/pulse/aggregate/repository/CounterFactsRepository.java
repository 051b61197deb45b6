package dev.pulse.aggregate.repository;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Facts that are sums, added to per batch of new events: connections, content engagement (with who played what,
 * for exact unique players) and the daily quality counters. Exact because only events new to the raw store reach here, in the same transaction.
 */
@ApplicationScoped
public class CounterFactsRepository {
    private record Connection(String appId, LocalDate date, String sender, String receiver) {
    }

    private record ContentDay(String appId, LocalDate date, String contentId, String device) {
    }

    private record AppDay(String appId, LocalDate date) {
    }

    private static final class ContentDelta {
        int events;
        int plays;
        double seconds;
        double pctSum;
        int pctCount;
    }

    private static final String CONNECTIONS = """
            INSERT INTO fact_user_connections AS f (app_id, event_date, sender_id, receiver_id, messages_count)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (app_id, event_date, sender_id, receiver_id) DO UPDATE SET messages_count = f.messages_count + EXCLUDED.messages_count""";

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

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        Map<Connection, Integer> connections = new LinkedHashMap<>();
        Map<ContentDay, ContentDelta> content = new LinkedHashMap<>();
        List<EnrichedEvent> plays = new ArrayList<>();
        Map<AppDay, long[]> quality = new LinkedHashMap<>();
        for (EnrichedEvent e : fresh) {
            if (EventCatalog.MESSAGE_SENT.equals(e.event())) {
                connections.merge(new Connection(e.appId(), e.eventDate(), e.userId(), e.receiverId()), 1, Integer::sum);
            }
            if (EventCatalog.CONTENT_ENGAGEMENT.equals(e.event())) {
                ContentDelta d = content.computeIfAbsent(new ContentDay(e.appId(), e.eventDate(), e.contentId(),
                        e.device() == null ? "unknown" : e.device()), k -> new ContentDelta());
                d.events++;
                if ("play".equals(e.action())) {
                    d.plays++;
                    plays.add(e);
                }
                d.seconds += e.engagementSeconds() == null ? 0 : e.engagementSeconds();
                if (e.engagementPct() != null) {
                    d.pctSum += e.engagementPct();
                    d.pctCount++;
                }
            }
            long[] q = quality.computeIfAbsent(new AppDay(e.appId(), e.eventDate()), k -> new long[3]);
            q[0]++;
            q[1] += e.late() ? 1 : 0;
            q[2] += e.clockClamped() ? 1 : 0;
        }
        return Sql.batch(connection, CONNECTIONS, connections.entrySet().stream().map(c -> Tuple.of(c.getKey().appId(),
                        c.getKey().date(), c.getKey().sender(), c.getKey().receiver(), c.getValue())).toList())
                .flatMap(x -> Sql.batch(connection, CONTENT, content.entrySet().stream().map(c -> Tuple.from(new Object[] {
                        c.getKey().appId(), c.getKey().date(), c.getKey().contentId(), c.getKey().device(), c.getValue().events,
                        c.getValue().plays, c.getValue().seconds, c.getValue().pctSum, c.getValue().pctCount})).toList()))
                .flatMap(x -> plays.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(PLAYERS).execute(Tuple.from(new Object[] {
                        plays.stream().map(EnrichedEvent::appId).toArray(String[]::new),
                        plays.stream().map(EnrichedEvent::contentId).toArray(String[]::new),
                        plays.stream().map(EnrichedEvent::eventDate).toArray(LocalDate[]::new),
                        plays.stream().map(EnrichedEvent::userId).toArray(String[]::new)})).replaceWithVoid())
                .flatMap(x -> Sql.batch(connection, QUALITY, quality.entrySet().stream().map(q -> Tuple.of(q.getKey().appId(),
                        q.getKey().date(), q.getValue()[0], q.getValue()[1], q.getValue()[2])).toList()));
    }
}
