package dev.pulse.aggregate.repository;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The raw store's columns as aggregation writes them: one list drives both the insert's column list and its
 * unnest parameters, so a column cannot be added to one and forgotten in the other.
 */
final class RawStoreColumns {
    /**
     * @param type   the SQL type of the parameter array's elements
     * @param stored the column's SQL type where it is not {@code type} (the value is cast on insert), else null
     */
    record Column<T>(String name, String type, String stored, IntFunction<T[]> array, Function<EnrichedEvent, T> value) {
        Object values(List<EnrichedEvent> events) {
            T[] values = array.apply(events.size());
            for (int i = 0; i < values.length; i++) {
                values[i] = value.apply(events.get(i));
            }
            return values;
        }

        String selected() {
            return stored == null ? name : name + "::" + stored;
        }
    }

    static final List<Column<?>> COLUMNS = List.of(
            column("app_id", "text", String[]::new, EnrichedEvent::appId),
            column("event_date", "date", LocalDate[]::new, EnrichedEvent::eventDate),
            column("event_id", "uuid", UUID[]::new, EnrichedEvent::eventId),
            column("event_ts", "timestamptz", OffsetDateTime[]::new, e -> e.timestamp().atOffset(ZoneOffset.UTC)),
            column("received_at", "timestamptz", OffsetDateTime[]::new, e -> e.receivedAt().atOffset(ZoneOffset.UTC)),
            column("event", "text", String[]::new, EnrichedEvent::event),
            column("category", "text", String[]::new, EnrichedEvent::category),
            column("user_id", "text", String[]::new, EnrichedEvent::userId),
            column("session_id", "text", String[]::new, EnrichedEvent::sessionId),
            column("post_id", "int8", Long[]::new, EnrichedEvent::postId),
            column("receiver_id", "text", String[]::new, EnrichedEvent::receiverId),
            column("content_id", "text", String[]::new, EnrichedEvent::contentId),
            column("action", "text", String[]::new, EnrichedEvent::action),
            column("duration_ms", "int8", Long[]::new, EnrichedEvent::durationMs),
            new Column<>("revenue", "text", "numeric", String[]::new, e -> e.revenue() == null ? null : e.revenue().toPlainString()),
            column("currency", "text", String[]::new, EnrichedEvent::currency),
            column("gender", "int2", Short[]::new, e -> shortOrNull(traits(e).gender())),
            column("age", "int2", Short[]::new, e -> shortOrNull(traits(e).age())),
            column("user_os", "text", String[]::new, e -> traits(e).os()),
            column("source", "text", String[]::new, e -> traits(e).source()),
            column("country", "text", String[]::new, e -> traits(e).country()),
            column("city", "text", String[]::new, e -> traits(e).city()),
            column("exp_group", "int4", Integer[]::new, e -> traits(e).expGroup()),
            column("device", "text", String[]::new, EnrichedEvent::device),
            column("os", "text", String[]::new, EnrichedEvent::os),
            column("browser", "text", String[]::new, EnrichedEvent::browser),
            column("host", "text", String[]::new, EnrichedEvent::host),
            column("url", "text", String[]::new, EnrichedEvent::url),
            column("referrer", "text", String[]::new, EnrichedEvent::referrer),
            column("content_title", "text", String[]::new, EnrichedEvent::contentTitle),
            column("content_type", "text", String[]::new, EnrichedEvent::contentType),
            column("length_seconds", "int4", Integer[]::new, EnrichedEvent::lengthSeconds),
            column("engagement_seconds", "float8", Double[]::new, EnrichedEvent::engagementSeconds),
            column("engagement_pct", "float8", Double[]::new, EnrichedEvent::engagementPct),
            column("clock_clamped", "bool", Boolean[]::new, EnrichedEvent::clockClamped),
            column("late", "bool", Boolean[]::new, EnrichedEvent::late),
            new Column<>("properties", "text", "jsonb", String[]::new, e -> e.properties() == null ? null : e.properties().toString()));

    /** Inserts the parameters' rows, skipping events already stored, and returns the keys of those inserted. */
    static final String INSERT = insert(COLUMNS);

    private RawStoreColumns() {
    }

    static String insert(List<Column<?>> columns) {
        String names = columns.stream().map(Column::name).collect(Collectors.joining(", "));
        return "INSERT INTO events (" + names + ")\n"
                + "SELECT " + columns.stream().map(Column::selected).collect(Collectors.joining(", ")) + "\n"
                + "FROM unnest(" + IntStream.range(0, columns.size()).mapToObj(i -> "$" + (i + 1) + "::" + columns.get(i).type() + "[]")
                        .collect(Collectors.joining(", ")) + ") AS t(" + names + ")\n"
                + "ON CONFLICT DO NOTHING\n"
                + "RETURNING app_id, event_date, event_id";
    }

    /** The insert's parameters for the events: one array per column, in the columns' order. */
    static Object[] parameters(List<EnrichedEvent> events) {
        return COLUMNS.stream().map(c -> c.values(events)).toArray();
    }

    private static <T> Column<T> column(String name, String type, IntFunction<T[]> array, Function<EnrichedEvent, T> value) {
        return new Column<>(name, type, null, array, value);
    }

    private static UserTraits traits(EnrichedEvent event) {
        return event.user() == null ? UserTraits.NONE : event.user();
    }

    private static Short shortOrNull(Integer value) {
        return value == null ? null : value.shortValue();
    }
}
