package dev.pulse.query.repository;

import dev.pulse.query.domain.UserProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One user's rows: current traits (dim_users), first event (user_first_seen), active days and devices, last event. */
@ApplicationScoped
public class UserRepository {
    private static final String ACTIVITY = """
            WITH d AS (SELECT device, browser, dates_active FROM user_devices_cumulated WHERE app_id = $1 AND user_id = $2),
            dates AS (SELECT DISTINCT unnest(dates_active) AS day FROM d)
            SELECT (SELECT array_agg(day ORDER BY day) FROM dates WHERE day BETWEEN $3 AND $4),
                   (SELECT count(*) FROM dates WHERE day > $5::date - 7 AND day <= $5::date),
                   (SELECT count(*) FROM dates WHERE day > $5::date - 28 AND day <= $5::date),
                   (SELECT max(day) FROM dates),
                   (SELECT json_agg(json_build_object('device', device, 'browser', browser,
                        'first_active', dates_active[1], 'last_active', dates_active[array_length(dates_active, 1)],
                        'active_days', array_length(dates_active, 1)) ORDER BY device, browser) FROM d)::text""";

    /** Active days over all devices: those of from..to, how many of the 7 and 28 days ending today, the last one (null: none). */
    public record Activity(List<LocalDate> activeDates, long l7, long l28, LocalDate lastDay, List<UserProfile.Device> devices) {
    }

    private final SqlRows sql;

    public UserRepository(SqlRows sql) {
        this.sql = sql;
    }

    public Uni<Optional<UserProfile.Traits>> traits(String appId, String userId) {
        return sql.map("""
                        SELECT gender, age, os, source, country, city, exp_group, valid_from FROM dim_users
                        WHERE app_id = $1 AND user_id = $2 AND is_current""", List.of(appId, userId),
                row -> new UserProfile.Traits(row.getInteger(0), row.getInteger(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getString(5), row.getInteger(6), row.getOffsetDateTime(7).toString()))
                .map(rows -> rows.stream().findFirst());
    }

    /** The time of the user's first event; empty for a user the app never saw. */
    public Uni<Optional<String>> firstSeen(String appId, String userId) {
        return sql.map("SELECT first_ts FROM user_first_seen WHERE app_id = $1 AND user_id = $2", List.of(appId, userId),
                row -> row.getOffsetDateTime(0).toString()).map(rows -> rows.stream().findFirst());
    }

    public Uni<Activity> activity(String appId, String userId, LocalDate from, LocalDate to, LocalDate today) {
        return sql.map(ACTIVITY, List.of(appId, userId, from, to, today), row -> {
            LocalDate[] dates = row.getArrayOfLocalDates(0);
            return new Activity(dates == null ? List.of() : Arrays.asList(dates), row.getLong(1), row.getLong(2), row.getLocalDate(3),
                    devices(row.getString(4)));
        }).map(rows -> rows.get(0));
    }

    /** The last event time, read from the one partition of the user's last active day. */
    public Uni<String> lastSeen(String appId, String userId, LocalDate lastDay) {
        return sql.map("SELECT max(event_ts) FROM events WHERE app_id = $1 AND event_date = $2 AND user_id = $3",
                // none once that day's raw-store partition is dropped (PULSE_AGGREGATE_PARTITIONS_RETENTION_DAYS); its facts stay
                List.of(appId, lastDay, userId), row -> Objects.toString(row.getOffsetDateTime(0), null))
                .map(rows -> rows.get(0));
    }

    private static List<UserProfile.Device> devices(String json) {
        List<UserProfile.Device> devices = new ArrayList<>();
        if (json != null) {
            for (Object value : new JsonArray(json)) {
                JsonObject device = (JsonObject) value;
                devices.add(new UserProfile.Device(device.getString("device"), device.getString("browser"), date(device.getString("first_active")),
                        date(device.getString("last_active")), device.getInteger("active_days")));
            }
        }
        return devices;
    }

    private static LocalDate date(String value) {
        return value == null ? null : LocalDate.parse(value);
    }
}
