package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.CumulativeDelta;
import dev.pulse.aggregate.domain.CumulativeDelta.Device;
import dev.pulse.aggregate.domain.CumulativeDelta.FirstSeen;
import dev.pulse.aggregate.domain.CumulativeDelta.HostDay;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * First-seen days and the cumulative tables after the seed projects: active-date lists per user device and per
 * host, and the per-month host arrays aligned to day of month.
 */
@ApplicationScoped
public class CumulativeRepository {
    /*
     * the first event, and the first days within feed and messenger: each the least seen (least ignores NULL). This
     * and the devices' upsert are one statement per batch, rows in the delta's order: executed row by row they were
     * a statement per user each (71,856 for 131,700 events in the standard run, bench/RESULTS.md).
     */
    private static final String FIRST_SEEN = """
            INSERT INTO user_first_seen AS f (app_id, user_id, first_date, first_ts, first_feed_date, first_messenger_date)
            SELECT app_id, user_id, first_date, first_ts, first_feed_date, first_messenger_date
            FROM unnest($1::text[], $2::text[], $3::date[], $4::timestamptz[], $5::date[], $6::date[])
                 WITH ORDINALITY AS r(app_id, user_id, first_date, first_ts, first_feed_date, first_messenger_date, row_number)
            ORDER BY row_number
            ON CONFLICT (app_id, user_id) DO UPDATE SET
                first_date = CASE WHEN EXCLUDED.first_ts < f.first_ts THEN EXCLUDED.first_date ELSE f.first_date END,
                first_ts = least(f.first_ts, EXCLUDED.first_ts),
                first_feed_date = least(f.first_feed_date, EXCLUDED.first_feed_date),
                first_messenger_date = least(f.first_messenger_date, EXCLUDED.first_messenger_date)
            WHERE EXCLUDED.first_ts < f.first_ts OR EXCLUDED.first_feed_date < coalesce(f.first_feed_date, 'infinity')
               OR EXCLUDED.first_messenger_date < coalesce(f.first_messenger_date, 'infinity')""";

    private static final String DEVICES = """
            INSERT INTO user_devices_cumulated AS f (app_id, user_id, device, browser, dates_active)
            SELECT k.app_id, k.user_id, k.device, k.browser, d.dates
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(app_id, user_id, device, browser, row_number)
            JOIN (SELECT row_number, array_agg(day ORDER BY day) AS dates FROM unnest($5::bigint[], $6::date[]) AS x(row_number, day)
                  GROUP BY row_number) AS d USING (row_number)
            ORDER BY k.row_number
            ON CONFLICT (app_id, user_id, device, browser) DO UPDATE SET
                dates_active = ARRAY(SELECT DISTINCT d FROM unnest(f.dates_active || EXCLUDED.dates_active) AS d ORDER BY d)
            WHERE NOT EXCLUDED.dates_active <@ f.dates_active""";

    private static final String HOSTS = """
            INSERT INTO hosts_cumulated AS f (app_id, host, month_start, dates_active) VALUES ($1, $2, $3, $4)
            ON CONFLICT (app_id, host, month_start) DO UPDATE SET
                dates_active = ARRAY(SELECT DISTINCT d FROM unnest(f.dates_active || EXCLUDED.dates_active) AS d ORDER BY d)
            WHERE NOT EXCLUDED.dates_active <@ f.dates_active""";

    private static final String NEW_VISITORS = """
            INSERT INTO host_daily_visitors (app_id, host, event_date, user_id)
            SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[])
            ON CONFLICT DO NOTHING
            RETURNING app_id, host, event_date""";

    /* $4 = day of month, $5 = days in month; a new row starts as zeros with this day's values */
    private static final String HOST_ACTIVITY = """
            INSERT INTO host_activity_reduced AS f (app_id, host, month_start, hit_array, unique_visitors_array)
            VALUES ($1, $2, $3,
                array_fill(0::bigint, ARRAY[$4::int - 1]) || $6::bigint || array_fill(0::bigint, ARRAY[$5::int - $4::int]),
                array_fill(0::bigint, ARRAY[$4::int - 1]) || $7::bigint || array_fill(0::bigint, ARRAY[$5::int - $4::int]))
            ON CONFLICT (app_id, host, month_start) DO UPDATE SET
                hit_array[$4::int] = f.hit_array[$4::int] + $6::bigint,
                unique_visitors_array[$4::int] = f.unique_visitors_array[$4::int] + $7::bigint""";

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        CumulativeDelta delta = CumulativeDelta.of(fresh);
        List<EnrichedEvent> hostEvents = delta.hostEvents();
        return firstSeen(connection, delta.firstSeen())
                .flatMap(x -> devices(connection, delta.devices()))
                .flatMap(x -> Sql.batch(connection, HOSTS, delta.hostMonths().entrySet().stream().map(h -> Tuple.of(
                        h.getKey().appId(), h.getKey().host(), h.getKey().monthStart(), h.getValue().toArray(LocalDate[]::new))).toList()))
                .flatMap(x -> hostEvents.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(NEW_VISITORS).execute(Tuple.of(
                                hostEvents.stream().map(EnrichedEvent::appId).toArray(String[]::new),
                                hostEvents.stream().map(EnrichedEvent::host).toArray(String[]::new),
                                hostEvents.stream().map(EnrichedEvent::eventDate).toArray(LocalDate[]::new),
                                hostEvents.stream().map(EnrichedEvent::userId).toArray(String[]::new)))
                        .flatMap(rows -> {
                            Map<HostDay, Long> newVisitors = new HashMap<>();
                            for (Row row : rows) {
                                newVisitors.merge(new HostDay(row.getString("app_id"), row.getString("host"), row.getLocalDate("event_date")),
                                        1L, Long::sum);
                            }
                            return Sql.batch(connection, HOST_ACTIVITY, delta.hostHits().entrySet().stream().map(h -> {
                                LocalDate date = h.getKey().date();
                                return Tuple.from(new Object[] {h.getKey().appId(), h.getKey().host(), date.withDayOfMonth(1),
                                        date.getDayOfMonth(), date.lengthOfMonth(), h.getValue(), newVisitors.getOrDefault(h.getKey(), 0L)});
                            }).toList());
                        }));
    }

    private static Uni<Void> firstSeen(SqlConnection connection, Map<CumulativeDelta.User, FirstSeen> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Object[]> rows = users.entrySet().stream().map(f -> new Object[] {f.getKey().appId(), f.getKey().userId(),
                f.getValue().date(), Sql.ts(f.getValue().at()), f.getValue().feedDate(), f.getValue().messengerDate()}).toList();
        return connection.preparedQuery(FIRST_SEEN).execute(Sql.columns(rows, String.class, String.class, LocalDate.class,
                OffsetDateTime.class, LocalDate.class, LocalDate.class)).replaceWithVoid();
    }

    /* each device row's days travel as (row's ordinal, day) pairs */
    private static Uni<Void> devices(SqlConnection connection, Map<Device, SortedSet<LocalDate>> devices) {
        if (devices.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Object[]> keys = new ArrayList<>();
        List<Long> ordinals = new ArrayList<>();
        List<LocalDate> days = new ArrayList<>();
        devices.forEach((device, dates) -> {
            keys.add(new Object[] {device.appId(), device.userId(), device.device(), device.browser()});
            for (LocalDate day : dates) {
                ordinals.add((long) keys.size());
                days.add(day);
            }
        });
        Tuple params = Sql.columns(keys, String.class, String.class, String.class, String.class)
                .addValue(ordinals.toArray(Long[]::new)).addValue(days.toArray(LocalDate[]::new));
        return connection.preparedQuery(DEVICES).execute(params).replaceWithVoid();
    }
}
