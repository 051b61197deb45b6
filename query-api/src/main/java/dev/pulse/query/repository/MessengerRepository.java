package dev.pulse.query.repository;

import dev.pulse.query.domain.Messenger;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.List;

/**
 * One user's rows of fact_daily_messenger and fact_user_connections. Both are keyed by day first (connections also
 * by receiver, V10), so the days travel as an array: one index descent per day and side.
 */
@ApplicationScoped
public class MessengerRepository {
    public static final int TOP_CONNECTIONS = 10;

    /** Sums over the days; a within-day mean gap is (last - first) / (n - 1), so days combine by those two sums. */
    private static final String CADENCE = """
            SELECT coalesce(sum(messages_sent), 0), coalesce(sum(messages_received), 0),
                   (sum(extract(epoch FROM last_sent_ts - first_sent_ts)) FILTER (WHERE messages_sent > 1)
                       / NULLIF(sum(messages_sent - 1) FILTER (WHERE messages_sent > 1), 0))::float8,
                   (sum(extract(epoch FROM last_received_ts - first_received_ts)) FILTER (WHERE messages_received > 1)
                       / NULLIF(sum(messages_received - 1) FILTER (WHERE messages_received > 1), 0))::float8
            FROM fact_daily_messenger WHERE app_id = $1 AND event_date = ANY ($2::date[]) AND user_id = $3""";

    /** Per other user: messages each way; with the counts of users written to and heard from on every row. */
    private static final String CONNECTIONS = """
            WITH c AS (
                SELECT receiver_id AS other, messages_count AS sent, 0 AS received FROM fact_user_connections
                WHERE app_id = $1 AND event_date = ANY ($2::date[]) AND sender_id = $3
                UNION ALL
                SELECT sender_id, 0, messages_count FROM fact_user_connections
                WHERE app_id = $1 AND event_date = ANY ($2::date[]) AND receiver_id = $3),
            g AS (SELECT other, sum(sent) AS sent, sum(received) AS received FROM c GROUP BY other)
            SELECT (SELECT count(*) FROM g WHERE sent > 0), (SELECT count(*) FROM g WHERE received > 0), other, sent, received
            FROM g ORDER BY sent + received DESC, other LIMIT $4""";

    private record Cadence(long sent, long received, Double betweenSent, Double betweenReceived) {
    }

    private record Row(long sentTo, long receivedFrom, Messenger.Connection connection) {
    }

    private final SqlRows sql;

    public MessengerRepository(SqlRows sql) {
        this.sql = sql;
    }

    public Uni<Messenger> of(String appId, String userId, List<LocalDate> days) {
        LocalDate[] dates = days.toArray(LocalDate[]::new);
        Uni<List<Cadence>> cadence = sql.map(CADENCE, List.of(appId, dates, userId),
                row -> new Cadence(row.getLong(0), row.getLong(1), row.getDouble(2), row.getDouble(3)));
        Uni<List<Row>> connections = sql.map(CONNECTIONS, List.of(appId, dates, userId, TOP_CONNECTIONS),
                row -> new Row(row.getLong(0), row.getLong(1), new Messenger.Connection(row.getString(2), row.getLong(3), row.getLong(4))));
        return Uni.combine().all().unis(cadence, connections).asTuple().map(found -> {
            Cadence c = found.getItem1().get(0);
            List<Row> top = found.getItem2();
            return new Messenger(days.get(0), days.get(days.size() - 1), c.sent(), c.received(),
                    top.isEmpty() ? 0 : top.get(0).sentTo(), top.isEmpty() ? 0 : top.get(0).receivedFrom(),
                    c.betweenSent(), c.betweenReceived(), top.stream().map(Row::connection).toList());
        });
    }
}
