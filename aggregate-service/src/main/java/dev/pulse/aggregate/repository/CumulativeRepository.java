package dev.pulse.aggregate.repository;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * First-seen days and the cumulative tables after the seed projects: active-date lists per user device and per
 * host, and the per-month host arrays aligned to day of month.
 */
@ApplicationScoped
public class CumulativeRepository {
    private record User(String appId, String userId) {
    }

    private record Device(String appId, String userId, String device, String browser) {
    }

    private record HostMonth(String appId, String host, LocalDate monthStart) {
    }

    private record HostDay(String appId, String host, LocalDate date) {
    }

    /* the first event, and the first days within feed and messenger: each the least seen (least ignores NULL) */
    private static final String FIRST_SEEN = """
            INSERT INTO user_first_seen AS f (app_id, user_id, first_date, first_ts, first_feed_date, first_messenger_date)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (app_id, user_id) DO UPDATE SET
                first_date = CASE WHEN EXCLUDED.first_ts < f.first_ts THEN EXCLUDED.first_date ELSE f.first_date END,
                first_ts = least(f.first_ts, EXCLUDED.first_ts),
                first_feed_date = least(f.first_feed_date, EXCLUDED.first_feed_date),
                first_messenger_date = least(f.first_messenger_date, EXCLUDED.first_messenger_date)
            WHERE EXCLUDED.first_ts < f.first_ts OR EXCLUDED.first_feed_date < coalesce(f.first_feed_date, 'infinity')
               OR EXCLUDED.first_messenger_date < coalesce(f.first_messenger_date, 'infinity')""";

    private static final String DEVICES = """
            INSERT INTO user_devices_cumulated AS f (app_id, user_id, device, browser, dates_active) VALUES ($1, $2, $3, $4, $5)
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
        Map<User, EnrichedEvent> first = new LinkedHashMap<>();
        Map<User, LocalDate> firstFeed = new LinkedHashMap<>();
        Map<User, LocalDate> firstMessenger = new LinkedHashMap<>();
        Map<Device, TreeSet<LocalDate>> devices = new LinkedHashMap<>();
        Map<HostMonth, TreeSet<LocalDate>> hosts = new LinkedHashMap<>();
        Map<HostDay, long[]> hostDays = new LinkedHashMap<>();
        for (EnrichedEvent e : fresh) {
            User user = new User(e.appId(), e.userId());
            first.merge(user, e, (a, b) -> b.timestamp().isBefore(a.timestamp()) ? b : a);
            if (EventCatalog.FEED_VIEW.equals(e.event()) || EventCatalog.FEED_LIKE.equals(e.event())) {
                firstFeed.merge(user, e.eventDate(), (a, b) -> b.isBefore(a) ? b : a);
            } else if (EventCatalog.MESSAGE_SENT.equals(e.event())) {
                firstMessenger.merge(user, e.eventDate(), (a, b) -> b.isBefore(a) ? b : a);
            }
            devices.computeIfAbsent(new Device(e.appId(), e.userId(), orUnknown(e.device()), orUnknown(e.browser())),
                    k -> new TreeSet<>()).add(e.eventDate());
            if (e.host() != null) {
                hosts.computeIfAbsent(new HostMonth(e.appId(), e.host(), e.eventDate().withDayOfMonth(1)), k -> new TreeSet<>())
                        .add(e.eventDate());
                hostDays.computeIfAbsent(new HostDay(e.appId(), e.host(), e.eventDate()), k -> new long[2])[0]++;
            }
        }
        List<EnrichedEvent> hostEvents = fresh.stream().filter(e -> e.host() != null).toList();
        return Sql.batch(connection, FIRST_SEEN, first.entrySet().stream().map(f -> Tuple.from(new Object[] {f.getKey().appId(),
                        f.getKey().userId(), f.getValue().eventDate(), Sql.ts(f.getValue().timestamp()), firstFeed.get(f.getKey()),
                        firstMessenger.get(f.getKey())})).toList())
                .flatMap(x -> Sql.batch(connection, DEVICES, devices.entrySet().stream().map(d -> Tuple.of(
                        d.getKey().appId(), d.getKey().userId(), d.getKey().device(), d.getKey().browser(),
                        d.getValue().toArray(LocalDate[]::new))).toList()))
                .flatMap(x -> Sql.batch(connection, HOSTS, hosts.entrySet().stream().map(h -> Tuple.of(
                        h.getKey().appId(), h.getKey().host(), h.getKey().monthStart(), h.getValue().toArray(LocalDate[]::new))).toList()))
                .flatMap(x -> hostEvents.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(NEW_VISITORS).execute(Tuple.of(
                                hostEvents.stream().map(EnrichedEvent::appId).toArray(String[]::new),
                                hostEvents.stream().map(EnrichedEvent::host).toArray(String[]::new),
                                hostEvents.stream().map(EnrichedEvent::eventDate).toArray(LocalDate[]::new),
                                hostEvents.stream().map(EnrichedEvent::userId).toArray(String[]::new)))
                        .flatMap(rows -> {
                            for (Row row : rows) {
                                hostDays.get(new HostDay(row.getString("app_id"), row.getString("host"), row.getLocalDate("event_date")))[1]++;
                            }
                            return Sql.batch(connection, HOST_ACTIVITY, hostDays.entrySet().stream().map(h -> {
                                LocalDate date = h.getKey().date();
                                return Tuple.from(new Object[] {h.getKey().appId(), h.getKey().host(), date.withDayOfMonth(1),
                                        date.getDayOfMonth(), date.lengthOfMonth(), h.getValue()[0], h.getValue()[1]});
                            }).toList());
                        }));
    }

    private static String orUnknown(String value) {
        return value == null ? "unknown" : value;
    }
}
