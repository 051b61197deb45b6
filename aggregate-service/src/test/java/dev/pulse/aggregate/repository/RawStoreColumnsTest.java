package dev.pulse.aggregate.repository;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.aggregate.repository.RawStoreColumns.Column;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawStoreColumnsTest {
    /** The Java type the driver encodes as each SQL element type. */
    private static final Map<String, Class<?>> ELEMENT = Map.of("text", String.class, "date", LocalDate.class, "uuid", UUID.class,
            "timestamptz", OffsetDateTime.class, "int8", Long.class, "int2", Short.class, "int4", Integer.class,
            "float8", Double.class, "bool", Boolean.class);

    private static final Instant AT = Instant.parse("2026-03-31T10:15:30.123456Z");

    @Test
    void theInsertNamesEachColumnOnceAndUnnestsOneTypedParameterPerColumnInTheSameOrder() {
        List<String> names = RawStoreColumns.COLUMNS.stream().map(Column::name).toList();
        assertEquals(names.size(), new HashSet<>(names).size(), "a column twice: " + names);
        String sql = RawStoreColumns.INSERT;
        assertEquals(names, list(sql, "INSERT INTO events \\(([^)]*)\\)"));
        assertEquals(names, list(sql, "AS t\\(([^)]*)\\)"));
        List<String> parameters = list(sql, "unnest\\(([^)]*)\\)");
        assertEquals(IntStream.rangeClosed(1, names.size()).mapToObj(i -> "$" + i + "::" + RawStoreColumns.COLUMNS.get(i - 1).type() + "[]").toList(),
                parameters);
        assertEquals(RawStoreColumns.COLUMNS.stream().map(c -> c.stored() == null ? c.name() : c.name() + "::" + c.stored()).toList(),
                list(sql, "SELECT (.*)\\n"));
    }

    @Test
    void eachParameterIsAnArrayOfTheColumnsSqlTypeWithAValuePerEvent() {
        List<EnrichedEvent> events = List.of(event(null, null), event(new UserTraits(2, 40, "android", "ads", "FR", "Lyon", 3), "9.99"));
        Object[] parameters = RawStoreColumns.parameters(events);
        assertEquals(RawStoreColumns.COLUMNS.size(), parameters.length);
        for (int i = 0; i < parameters.length; i++) {
            Column<?> column = RawStoreColumns.COLUMNS.get(i);
            assertTrue(ELEMENT.containsKey(column.type()), column.name() + ": no driver type for " + column.type());
            assertEquals(ELEMENT.get(column.type()), parameters[i].getClass().getComponentType(), column.name());
            assertEquals(events.size(), ((Object[]) parameters[i]).length, column.name());
        }
    }

    @Test
    void valuesAreConvertedToWhatTheirColumnsStore() {
        UserTraits traits = new UserTraits(2, 40, "android", "ads", "FR", "Lyon", 3);
        List<EnrichedEvent> events = List.of(event(traits, "9.990"), event(null, null));
        EnrichedEvent first = events.getFirst();
        assertArrayEquals(new Object[] {first.timestamp().atOffset(ZoneOffset.UTC), first.timestamp().atOffset(ZoneOffset.UTC)},
                column(events, "event_ts"));
        assertArrayEquals(new Object[] {"9.990", null}, column(events, "revenue"));
        assertArrayEquals(new Object[] {(short) 2, null}, column(events, "gender"));
        assertArrayEquals(new Object[] {(short) 40, null}, column(events, "age"));
        assertArrayEquals(new Object[] {"Lyon", null}, column(events, "city"));
        assertArrayEquals(new Object[] {3, null}, column(events, "exp_group"));
        assertArrayEquals(new Object[] {first.properties().toString(), first.properties().toString()}, column(events, "properties"));
    }

    private static Object[] column(List<EnrichedEvent> events, String name) {
        int index = RawStoreColumns.COLUMNS.stream().map(Column::name).toList().indexOf(name);
        return (Object[]) RawStoreColumns.parameters(events)[index];
    }

    private static List<String> list(String sql, String regex) {
        Matcher m = Pattern.compile(regex).matcher(sql);
        assertTrue(m.find(), regex + " in " + sql);
        return Arrays.stream(m.group(1).split(",")).map(String::strip).toList();
    }

    private static EnrichedEvent event(UserTraits traits, String revenue) {
        ObjectNode properties = JsonNodeFactory.instance.objectNode().put("plan", "pro");
        return new EnrichedEvent("app", UUID.randomUUID(), "purchase", "commerce", "ann", AT, LocalDate.of(2026, 3, 31), AT.plusSeconds(1),
                false, false, "s1", properties, null, null, null, null, null, revenue == null ? null : new BigDecimal(revenue), "EUR",
                traits, "desktop", "linux", "firefox", "shop.example", "https://shop.example/", null, null, null, null, null, null);
    }
}
