package dev.pulse.query.rest;

import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import jakarta.annotation.security.RolesAllowed;
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

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Path("/v1/hosts/{host}/activity")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
public class HostsResource {
    private final ReadAccess access;
    private final SqlRows sql;

    public HostsResource(ReadAccess access, SqlRows sql) {
        this.access = access;
        this.sql = sql;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A host's month", description = "hit_array and unique_visitors_array, element i = day i of the month. Example: /v1/hosts/www.example.com/activity?app=demo&month=2026-11")
    public Uni<Map<String, Object>> activity(@PathParam("host") String host, @QueryParam("app") String app, @QueryParam("month") String month) {
        return access.app(app).flatMap(a -> {
            YearMonth ym = InputLimits.month(month, "month");
            String normalized = InputLimits.text(host, "host").toLowerCase(Locale.ROOT);
            return sql.query("""
                            SELECT hit_array, unique_visitors_array FROM host_activity_reduced
                            WHERE app_id = $1 AND host = $2 AND month_start = $3""",
                            List.of(a.appId(), normalized, ym.atDay(1)))
                    .map(rows -> {
                        Map<String, Object> answer = new LinkedHashMap<>();
                        answer.put("app", a.appId());
                        answer.put("host", normalized);
                        answer.put("month", ym.toString());
                        answer.put("hit_array", rows.isEmpty() ? zeros(ym) : longs(rows.get(0).get(0)));
                        answer.put("unique_visitors_array", rows.isEmpty() ? zeros(ym) : longs(rows.get(0).get(1)));
                        return answer;
                    });
        });
    }

    private static List<Long> zeros(YearMonth month) {
        return new ArrayList<>(Collections.nCopies(month.lengthOfMonth(), 0L));
    }

    private static List<Long> longs(Object array) {
        List<Long> values = new ArrayList<>();
        for (Long v : (Long[]) array) {
            values.add(v);
        }
        return values;
    }
}
