package dev.pulse.schema;

import java.nio.ByteBuffer;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.SortedSet;

/**
 * How the funnels' state user_event_times (V25) is keyed and bounded: aggregate-service writes, cuts and checks it,
 * query-api reads it, so both must cut weeks and days alike. Its times are epoch microseconds.
 */
public final class EventTimes {
    private EventTimes() {
    }

    /** The Monday on or before {@code date}: PostgreSQL's date_trunc('week', date), the rows' week_start. */
    public static LocalDate weekStart(LocalDate date) {
        return date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }

    /** The epoch microseconds at which app-local {@code day} starts, in the zone enrich-service dates events in. */
    public static long dayStart(LocalDate day, ZoneId zone) {
        return micros(day.atStartOfDay(zone).toInstant());
    }

    /**
     * Epoch microseconds of {@code at} as the raw store keeps an event's time: the PostgreSQL driver sends an instant
     * in whole microseconds, the nanoseconds beyond cut off (the instants Pulse accepts are after 2000).
     */
    public static long micros(Instant at) {
        return Math.multiplyExact(at.getEpochSecond(), 1_000_000L) + at.getNano() / 1_000;
    }

    /** The instant of epoch microseconds {@code micros}. */
    public static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    /** The column's encoding of a batch's times, ascending and distinct: 8 bytes each, big-endian, appended to a row (V41). */
    public static byte[] encode(SortedSet<Long> micros) {
        ByteBuffer bytes = ByteBuffer.allocate(micros.size() * 8);
        micros.forEach(bytes::putLong);
        return bytes.array();
    }

    /**
     * A row's times as the set they stand for, ascending: a row holds each batch's part in the order batches came, and a
     * time stored by two batches twice (V41). Sorts {@code micros} in place; @return it, or a shorter copy without repeats
     */
    public static long[] ascending(long[] micros) {
        Arrays.sort(micros);
        int distinct = 0;
        for (long time : micros) {
            if (distinct == 0 || time != micros[distinct - 1]) {
                micros[distinct++] = time;
            }
        }
        return distinct == micros.length ? micros : Arrays.copyOf(micros, distinct);
    }
}
