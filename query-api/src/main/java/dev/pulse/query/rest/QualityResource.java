package dev.pulse.query.rest;

import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import jakarta.annotation.security.RolesAllowed;
import dev.pulse.query.repository.SqlRows;
import dev.pulse.query.service.ConcurrencyLimiter;
import dev.pulse.query.service.InputLimits;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/v1/quality")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
public class QualityResource {
    private final ReadAccess access;
    private final SqlRows sql;
    private final ConcurrencyLimiter limiter;

    public QualityResource(ReadAccess access, SqlRows sql, ConcurrencyLimiter limiter) {
        this.access = access;
        this.sql = sql;
        this.limiter = limiter;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Data quality of a day", description = "Accepted, rejected by reason, duplicates, late, validation rate, freshness and completeness, live; once the day has closed, also the close's snapshot and facts check. Example: /v1/quality?app=demo&date=2026-11-21")
    public Uni<Map<String, Object>> quality(@QueryParam("app") String app, @QueryParam("date") String date) {
        return access.app(app).flatMap(a -> {
            LocalDate day = date == null ? LocalDate.now(a.zone()) : InputLimits.date(date, "date");
            Uni<List<List<Object>>> live = sql.query("""
                    SELECT accepted, rejected, rejected_by_reason, duplicates, late, clock_clamped, validation_rate,
                           freshness_p50_seconds, freshness_p99_seconds, completeness, active_users
                    FROM day_quality($1, $2, $3)""", List.of(a.appId(), day, a.zone().getId()));
            Uni<List<List<Object>>> snapshot = sql.query("""
                    SELECT closed_at::text, completeness, facts_consistent, repaired FROM quality_snapshot_daily
                    WHERE app_id = $1 AND event_date = $2""", List.of(a.appId(), day));
            // both are lazy: they run, and hold the app's slot, once combined
            return limiter.limit(a.appId(), () -> Uni.combine().all().unis(live, snapshot).asTuple()).map(t -> {
                List<Object> q = t.getItem1().get(0);
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("app", a.appId());
                answer.put("date", day.toString());
                answer.put("accepted", q.get(0));
                answer.put("rejected", q.get(1));
                answer.put("rejected_by_reason", q.get(2));
                answer.put("duplicates", q.get(3));
                answer.put("late", q.get(4));
                answer.put("clock_clamped", q.get(5));
                answer.put("validation_rate", q.get(6) == null ? null : Math.round(10_000.0 * (Double) q.get(6)) / 10_000.0);
                answer.put("freshness_seconds", Map.of("p50", q.get(7) == null ? 0.0 : q.get(7), "p99", q.get(8) == null ? 0.0 : q.get(8)));
                answer.put("completeness", q.get(9));
                answer.put("active_users", q.get(10));
                // the daily close's snapshot, once the day has ended in the app's timezone; the figures above stay live
                answer.put("closed", t.getItem2().isEmpty() ? null : closed(t.getItem2().get(0)));
                return answer;
            });
        });
    }

    private static Map<String, Object> closed(List<Object> row) {
        Map<String, Object> closed = new LinkedHashMap<>();
        closed.put("closed_at", row.get(0));
        closed.put("completeness", row.get(1));
        closed.put("facts_consistent", row.get(2));
        closed.put("repaired", row.get(3));
        return closed;
    }
}
