package dev.pulse.aggregate.repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The raw store: the dedup guard of aggregation and the source of every recompute. */
@ApplicationScoped
public class RawStoreRepository {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Pool pool;

    public RawStoreRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Every stored event since {@code since}, in pages of {@code pageSize}, read through a cursor of the
     * connection's transaction: memory holds one page, however large the window. The date bound lets the planner
     * skip all but the newest partitions.
     */
    public Multi<List<EnrichedEvent>> recent(SqlConnection connection, Instant since, int pageSize) {
        return connection.prepare("SELECT * FROM events WHERE event_ts >= $1 AND event_date >= $2").toMulti()
                .onItem().transformToMultiAndConcatenate(statement -> statement.createStream(pageSize,
                        Tuple.of(since.atOffset(ZoneOffset.UTC), since.atOffset(ZoneOffset.UTC).toLocalDate().minusDays(1))).toMulti())
                .map(RawStoreRepository::toEvent)
                .group().intoLists().of(pageSize);
    }

    /** Every stored event of an app's day, as aggregation first saw it (recompute replays them). */
    public Uni<List<EnrichedEvent>> ofDay(SqlConnection connection, String appId, LocalDate date) {
        return connection.preparedQuery("SELECT * FROM events WHERE app_id = $1 AND event_date = $2 ORDER BY event_ts, event_id")
                .execute(Tuple.of(appId, date)).map(RawStoreRepository::toEvents);
    }

    private static List<EnrichedEvent> toEvents(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<EnrichedEvent> events = new ArrayList<>(rows.size());
        for (Row r : rows) {
            events.add(toEvent(r));
        }
        return events;
    }

    private static EnrichedEvent toEvent(Row r) {
        Short gender = r.getShort("gender");
        Short age = r.getShort("age");
        UserTraits traits = new UserTraits(gender == null ? null : gender.intValue(), age == null ? null : age.intValue(),
                r.getString("user_os"), r.getString("source"), r.getString("country"), r.getString("city"), r.getInteger("exp_group"));
        Object properties = r.getValue("properties");
        return new EnrichedEvent(r.getString("app_id"), r.getUUID("event_id"), r.getString("event"), r.getString("category"),
                r.getString("user_id"), r.getOffsetDateTime("event_ts").toInstant(), r.getLocalDate("event_date"),
                r.getOffsetDateTime("received_at").toInstant(), r.getBoolean("clock_clamped"), r.getBoolean("late"),
                r.getString("session_id"), properties == null ? null : json(properties.toString()),
                r.getLong("post_id"), r.getString("receiver_id"), r.getString("content_id"), r.getString("action"),
                r.getLong("duration_ms"), r.getBigDecimal("revenue"), r.getString("currency"),
                traits.isEmpty() ? null : traits, r.getString("device"), r.getString("os"), r.getString("browser"),
                r.getString("host"), r.getString("url"), r.getString("referrer"), r.getString("content_title"),
                r.getString("content_type"), r.getInteger("length_seconds"), r.getDouble("engagement_seconds"),
                r.getDouble("engagement_pct"));
    }

    /** Inserts the events and returns those that were new: the only ones any fact may count. */
    public Uni<List<EnrichedEvent>> insertNew(SqlConnection connection, List<EnrichedEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return connection.preparedQuery(RawStoreColumns.INSERT).execute(Tuple.from(RawStoreColumns.parameters(events))).map(rows -> {
            Set<String> inserted = new HashSet<>();
            for (Row row : rows) {
                inserted.add(row.getString("app_id") + "/" + row.getUUID("event_id"));
            }
            // a batch may hold one id twice only if enrich replayed it; keep the first
            List<EnrichedEvent> fresh = new ArrayList<>(inserted.size());
            for (EnrichedEvent event : events) {
                if (inserted.remove(event.appId() + "/" + event.eventId())) {
                    fresh.add(event);
                }
            }
            return fresh;
        });
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("properties stored in the raw store are not JSON", e);
        }
    }
}
