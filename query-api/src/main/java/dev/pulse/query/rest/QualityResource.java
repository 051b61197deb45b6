package dev.pulse.query.rest;

import dev.pulse.query.domain.DayQuality;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.ConcurrencyLimiter;
import dev.pulse.query.service.InputLimits;
import dev.pulse.query.service.QualityService;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.time.LocalDate;

@Path("/v1/quality")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityRequirement(name = "read-token")
public class QualityResource {
    private static final String EXAMPLE = """
            {"app": "demo", "date": "2026-11-21", "accepted": 9800, "rejected": 200, "rejected_by_reason": {"event": 150, "user_id": 50},
             "duplicates": 12, "late": 40, "clock_clamped": 3, "validation_rate": 0.98, "freshness_seconds": {"p50": 0.4, "p99": 2.1},
             "completeness": 0.995, "active_users": 1200,
             "closed": {"closed_at": "2026-11-22 00:05:00.123+00", "completeness": 0.995, "facts_consistent": true, "repaired": false}}""";

    private final ReadAccess access;
    private final QualityService quality;
    private final ConcurrencyLimiter limiter;

    public QualityResource(ReadAccess access, QualityService quality, ConcurrencyLimiter limiter) {
        this.access = access;
        this.quality = quality;
        this.limiter = limiter;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Data quality of a day", description = "Accepted, rejected by reason, duplicates, late, validation rate, freshness and completeness, live; once the day has closed, also the close's snapshot and facts check. Example: /v1/quality?app=demo&date=2026-11-21")
    @APIResponse(responseCode = "200", description = "The day's figures as they stand; closed is null until the day's close",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DayQuality.class),
                    examples = @ExampleObject(name = "a closed day", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Bad date; names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    @APIResponse(responseCode = "429", description = "Too many queries of this app at once; see Retry-After")
    public Uni<DayQuality> quality(@QueryParam("app") String app, @QueryParam("date") String date) {
        return access.app(app).flatMap(a -> {
            LocalDate day = date == null ? LocalDate.now(a.zone()) : InputLimits.date(date, "date");
            return limiter.limit(a.appId(), () -> quality.day(a, day));
        });
    }
}
