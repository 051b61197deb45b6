package dev.pulse.aggregate.repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;

/** The raw store: the dedup guard of aggregation and the source of every recompute. */
@ApplicationScoped
public class RawStoreRepository {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSERT = """
            INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, session_id,
                post_id, receiver_id, content_id, action, duration_ms, revenue, currency,
                gender, age, user_os, source, country, city, exp_group,
                device, os, browser, host, url, referrer, content_title, content_type, length_seconds,
                engagement_seconds, engagement_pct, clock_clamped, late, properties)
            SELECT app_id, event_date, event_id, event_ts, received_at, event, category, user_id, session_id,
                post_id, receiver_id, content_id, action, duration_ms, revenue::numeric, currency,
                gender, age, user_os, source, country, city, exp_group,
                device, os, browser, host, url, referrer, content_title, content_type, length_seconds,
                engagement_seconds, engagement_pct, clock_clamped, late, properties::jsonb
            FROM unnest($1::text[], $2::date[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::int8[], $11::text[], $12::text[], $13::text[], $14::int8[], $15::text[],
                $16::text[], $17::int2[], $18::int2[], $19::text[], $20::text[], $21::text[], $22::text[], $23::int4[],
                $24::text[], $25::text[], $26::text[], $27::text[], $28::text[], $29::text[], $30::text[], $31::text[],
                $32::int4[], $33::float8[], $34::float8[], $35::bool[], $36::bool[], $37::text[])
                AS t(app_id, event_date, event_id, event_ts, received_at, event, category, user_id, session_id,
                     post_id, receiver_id, content_id, action, duration_ms, revenue, currency,
                     gender, age, user_os, source, country, city, exp_group,
                     device, os, browser, host, url, referrer, content_title, content_type, length_seconds,
                     engagement_seconds, engagement_pct, clock_clamped, late, properties)
            ON CONFLICT DO NOTHING
            RETURNING app_id, event_date, event_id""";

    private final Pool pool;

    public RawStoreRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stored events of the last moments, for the real-time views; the date bound lets the planner skip all but
     * the newest partitions.
     */
    public Uni<List<EnrichedEvent>> recent(Instant since) {
        return pool.preparedQuery("SELECT * FROM events WHERE event_ts >= $1 AND event_date >= $2")
                .execute(Tuple.of(since.atOffset(ZoneOffset.UTC), since.atOffset(ZoneOffset.UTC).toLocalDate().minusDays(1)))
                .map(RawStoreRepository::toEvents);
    }

    /** Every stored event of an app since a day (rebuilding one app's real-time views). */
    public Uni<List<EnrichedEvent>> ofAppSince(String appId, LocalDate from) {
        return pool.preparedQuery("SELECT * FROM events WHERE app_id = $1 AND event_date >= $2")
                .execute(Tuple.of(appId, from)).map(RawStoreRepository::toEvents);
    }

    /** Every stored event of an app's day, as aggregation first saw it (recompute replays them). */
    public Uni<List<EnrichedEvent>> ofDay(SqlConnection connection, String appId, LocalDate date) {
        return connection.preparedQuery("SELECT * FROM events WHERE app_id = $1 AND event_date = $2 ORDER BY event_ts, event_id")
                .execute(Tuple.of(appId, date)).map(RawStoreRepository::toEvents);
    }

    private static List<EnrichedEvent> toEvents(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<EnrichedEvent> events = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Short gender = r.getShort("gender");
            Short age = r.getShort("age");
            UserTraits traits = new UserTraits(gender == null ? null : gender.intValue(), age == null ? null : age.intValue(),
                    r.getString("user_os"), r.getString("source"), r.getString("country"), r.getString("city"), r.getInteger("exp_group"));
            Object properties = r.getValue("properties");
            events.add(new EnrichedEvent(r.getString("app_id"), r.getUUID("event_id"), r.getString("event"), r.getString("category"),
                    r.getString("user_id"), r.getOffsetDateTime("event_ts").toInstant(), r.getLocalDate("event_date"),
                    r.getOffsetDateTime("received_at").toInstant(), r.getBoolean("clock_clamped"), r.getBoolean("late"),
                    r.getString("session_id"), properties == null ? null : json(properties.toString()),
                    r.getLong("post_id"), r.getString("receiver_id"), r.getString("content_id"), r.getString("action"),
                    r.getLong("duration_ms"), r.getBigDecimal("revenue"), r.getString("currency"),
                    traits.isEmpty() ? null : traits, r.getString("device"), r.getString("os"), r.getString("browser"),
                    r.getString("host"), r.getString("url"), r.getString("referrer"), r.getString("content_title"),
                    r.getString("content_type"), r.getInteger("length_seconds"), r.getDouble("engagement_seconds"),
                    r.getDouble("engagement_pct")));
        }
        return events;
    }

    /** Inserts the events and returns those that were new: the only ones any fact may count. */
    public Uni<List<EnrichedEvent>> insertNew(SqlConnection connection, List<EnrichedEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Tuple params = Tuple.tuple(new ArrayList<>(List.of(
                col(events, String[]::new, EnrichedEvent::appId),
                col(events, LocalDate[]::new, EnrichedEvent::eventDate),
                col(events, UUID[]::new, EnrichedEvent::eventId),
                col(events, OffsetDateTime[]::new, e -> e.timestamp().atOffset(ZoneOffset.UTC)),
                col(events, OffsetDateTime[]::new, e -> e.receivedAt().atOffset(ZoneOffset.UTC)),
                col(events, String[]::new, EnrichedEvent::event),
                col(events, String[]::new, EnrichedEvent::category),
                col(events, String[]::new, EnrichedEvent::userId),
                col(events, String[]::new, EnrichedEvent::sessionId),
                col(events, Long[]::new, EnrichedEvent::postId),
                col(events, String[]::new, EnrichedEvent::receiverId),
                col(events, String[]::new, EnrichedEvent::contentId),
                col(events, String[]::new, EnrichedEvent::action),
                col(events, Long[]::new, EnrichedEvent::durationMs),
                col(events, String[]::new, e -> e.revenue() == null ? null : e.revenue().toPlainString()),
                col(events, String[]::new, EnrichedEvent::currency),
                col(events, Short[]::new, e -> shortOrNull(traits(e).gender())),
                col(events, Short[]::new, e -> shortOrNull(traits(e).age())),
                col(events, String[]::new, e -> traits(e).os()),
                col(events, String[]::new, e -> traits(e).source()),
                col(events, String[]::new, e -> traits(e).country()),
                col(events, String[]::new, e -> traits(e).city()),
                col(events, Integer[]::new, e -> traits(e).expGroup()),
                col(events, String[]::new, EnrichedEvent::device),
                col(events, String[]::new, EnrichedEvent::os),
                col(events, String[]::new, EnrichedEvent::browser),
                col(events, String[]::new, EnrichedEvent::host),
                col(events, String[]::new, EnrichedEvent::url),
                col(events, String[]::new, EnrichedEvent::referrer),
                col(events, String[]::new, EnrichedEvent::contentTitle),
                col(events, String[]::new, EnrichedEvent::contentType),
                col(events, Integer[]::new, EnrichedEvent::lengthSeconds),
                col(events, Double[]::new, EnrichedEvent::engagementSeconds),
                col(events, Double[]::new, EnrichedEvent::engagementPct),
                col(events, Boolean[]::new, EnrichedEvent::clockClamped),
                col(events, Boolean[]::new, EnrichedEvent::late),
                col(events, String[]::new, e -> e.properties() == null ? null : e.properties().toString()))));
        return connection.preparedQuery(INSERT).execute(params).map(rows -> {
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

    private static UserTraits traits(EnrichedEvent event) {
        return event.user() == null ? UserTraits.NONE : event.user();
    }

    private static Short shortOrNull(Integer value) {
        return value == null ? null : value.shortValue();
    }

    private static <T> T[] col(List<EnrichedEvent> events, IntFunction<T[]> array, Function<EnrichedEvent, T> field) {
        T[] values = array.apply(events.size());
        for (int i = 0; i < values.length; i++) {
            values[i] = field.apply(events.get(i));
        }
        return values;
    }
}
