package dev.pulse.query.rest;

import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import jakarta.annotation.security.RolesAllowed;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Messenger;
import dev.pulse.query.repository.MessengerRepository;
import dev.pulse.query.repository.SqlRows;
import dev.pulse.query.service.InputLimits;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/v1/users/{user_id}")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
public class UsersResource {
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

    private final ReadAccess access;
    private final SqlRows sql;
    private final MessengerRepository messenger;
    private final com.fasterxml.jackson.databind.ObjectMapper mapper;

    public UsersResource(ReadAccess access, SqlRows sql, MessengerRepository messenger,
            com.fasterxml.jackson.databind.ObjectMapper mapper) {
        this.access = access;
        this.sql = sql;
        this.messenger = messenger;
        this.mapper = mapper;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One user", description = "Current traits, first and last seen, active dates of the month, L7/L28, devices, and messenger cadence"
            + " and connections over the 28 days ending today (as L28): messages sent and received, distinct users written to and"
            + " heard from, mean seconds between consecutive messages within a day, the 10 users exchanged with most."
            + " Example: /v1/users/42?app=demo&month=2026-11")
    public Uni<Map<String, Object>> user(@PathParam("user_id") String userId, @QueryParam("app") String app, @QueryParam("month") String month) {
        return access.app(app).flatMap(a -> {
            InputLimits.text(userId, "user_id");
            LocalDate today = LocalDate.now(a.zone());
            YearMonth ym = month == null ? YearMonth.from(today) : InputLimits.month(month, "month");
            Uni<List<List<Object>>> traits = sql.query("""
                    SELECT gender, age, os, source, country, city, exp_group, valid_from FROM dim_users
                    WHERE app_id = $1 AND user_id = $2 AND is_current""", List.of(a.appId(), userId));
            Uni<List<List<Object>>> first = sql.query("SELECT first_ts FROM user_first_seen WHERE app_id = $1 AND user_id = $2",
                    List.of(a.appId(), userId));
            Uni<List<List<Object>>> activity = sql.query(ACTIVITY, List.of(a.appId(), userId, ym.atDay(1), ym.atEndOfMonth(), today));
            Uni<Messenger> messages = messenger.of(a.appId(), userId, today.minusDays(27).datesUntil(today.plusDays(1)).toList());
            return Uni.combine().all().unis(traits, first, activity, messages).asTuple().flatMap(t -> {
                if (t.getItem2().isEmpty()) {
                    throw new ProblemException(404, "Not Found", "no user " + userId + " in app " + a.appId(), "user_id", null, null);
                }
                List<Object> act = t.getItem3().get(0);
                return lastSeen(a, userId, (String) act.get(3)).map(last -> {
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("app", a.appId());
                    answer.put("user_id", userId);
                    answer.put("traits", t.getItem1().isEmpty() ? null : traits(t.getItem1().get(0)));
                    answer.put("first_seen", t.getItem2().get(0).get(0).toString());
                    answer.put("last_seen", last);
                    answer.put("month", ym.toString());
                    answer.put("active_dates", act.get(0) == null ? List.of()
                            : Arrays.stream((LocalDate[]) act.get(0)).map(LocalDate::toString).toList());
                    answer.put("l7", act.get(1));
                    answer.put("l28", act.get(2));
                    answer.put("devices", json((String) act.get(4)));
                    answer.put("messenger", t.getItem4());
                    return answer;
                });
            });
        });
    }

    /** The last event time, read from the one partition of the last active day. */
    private Uni<String> lastSeen(App app, String userId, String lastDay) {
        if (lastDay == null) {
            return Uni.createFrom().nullItem();
        }
        return sql.query("SELECT max(event_ts) FROM events WHERE app_id = $1 AND event_date = $2 AND user_id = $3",
                List.of(app.appId(), LocalDate.parse(lastDay), userId)).map(rows -> String.valueOf(rows.get(0).get(0)));
    }

    private static Map<String, Object> traits(List<Object> row) {
        Map<String, Object> traits = new LinkedHashMap<>();
        String[] names = {"gender", "age", "os", "source", "country", "city", "exp_group"};
        for (int i = 0; i < names.length; i++) {
            traits.put(names[i], row.get(i));
        }
        traits.put("since", String.valueOf(row.get(7)));
        return traits;
    }

    private Object json(String value) {
        if (value == null) {
            return List.of();
        }
        try {
            return mapper.readTree(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
