package dev.pulse.query.rest;

import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/v1/quality")
public class QualityResource {
    private final ReadTokenAuthenticator auth;
    private final SqlRows sql;

    public QualityResource(ReadTokenAuthenticator auth, SqlRows sql) {
        this.auth = auth;
        this.sql = sql;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Data quality of a day", description = "Accepted, rejected by reason, duplicates, late, validation rate and freshness, live; once the day has closed, also the close's completeness and facts check. Example: /v1/quality?app=demo&date=2026-11-21")
    public Uni<Map<String, Object>> quality(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("app") String app, @QueryParam("date") String date) {
        return auth.authorize(authorization, app).flatMap(a -> {
            LocalDate day = date == null ? LocalDate.now(a.zone()) : Params.date(date, "date");
            Uni<List<List<Object>>> counters = sql.query("""
                    SELECT accepted, duplicates, late, clamped FROM quality_daily WHERE app_id = $1 AND event_date = $2""",
                    List.of(a.appId(), day));
            Uni<List<List<Object>>> rejected = sql.query("""
                    SELECT reason, count(*) FROM invalid_events
                    WHERE app_id = $1 AND (rejected_at AT TIME ZONE $3)::date = $2 GROUP BY reason ORDER BY reason""",
                    List.of(a.appId(), day, a.zone().getId()));
            Uni<List<List<Object>>> freshness = sql.query("""
                    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - received_at)),
                           percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - received_at))
                    FROM events WHERE app_id = $1 AND event_date = $2""", List.of(a.appId(), day));
            Uni<List<List<Object>>> snapshot = sql.query("""
                    SELECT closed_at::text, completeness, facts_consistent, repaired FROM quality_snapshot_daily
                    WHERE app_id = $1 AND event_date = $2""", List.of(a.appId(), day));
            return Uni.combine().all().unis(counters, rejected, freshness, snapshot).asTuple().map(t -> {
                List<Object> c = t.getItem1().isEmpty() ? List.of(0L, 0L, 0L, 0L) : t.getItem1().get(0);
                long accepted = ((Number) c.get(0)).longValue();
                Map<String, Long> byReason = new LinkedHashMap<>();
                t.getItem2().forEach(row -> byReason.put((String) row.get(0), ((Number) row.get(1)).longValue()));
                long rejectedTotal = byReason.values().stream().mapToLong(Long::longValue).sum();
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("app", a.appId());
                answer.put("date", day.toString());
                answer.put("accepted", accepted);
                answer.put("rejected", rejectedTotal);
                answer.put("rejected_by_reason", byReason);
                answer.put("duplicates", c.get(1));
                answer.put("late", c.get(2));
                answer.put("clock_clamped", c.get(3));
                answer.put("validation_rate", accepted + rejectedTotal == 0 ? null
                        : Math.round(10_000.0 * accepted / (accepted + rejectedTotal)) / 10_000.0);
                List<Object> f = t.getItem3().get(0);
                answer.put("freshness_seconds", Map.of("p50", f.get(0) == null ? 0.0 : f.get(0), "p99", f.get(1) == null ? 0.0 : f.get(1)));
                // the daily close's snapshot, once the day has ended in the app's timezone; the figures above stay live
                answer.put("closed", t.getItem4().isEmpty() ? null : closed(t.getItem4().get(0)));
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
