package dev.pulse.schema;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

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
        Instant start = day.atStartOfDay(zone).toInstant();
        return start.getEpochSecond() * 1_000_000 + start.getNano() / 1_000;
    }
}
