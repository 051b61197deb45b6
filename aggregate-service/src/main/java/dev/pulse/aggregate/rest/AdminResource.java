package dev.pulse.aggregate.rest;

import dev.pulse.aggregate.service.RecomputeService;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.web.security.AdminTokenMechanism;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;

@Path("/v1/admin/recompute")
@HttpAuthenticationMechanism(AdminTokenMechanism.SCHEME)
@RolesAllowed(Roles.ADMIN)
@SecurityScheme(securitySchemeName = "admin-token", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The admin token of aggregate-service (PULSE_AGGREGATE_ADMIN_TOKEN)")
@SecurityRequirement(name = "admin-token")
public class AdminResource {
    /** Body: the app and the days to rebuild. */
    public record RecomputeRequest(String app, String from, String to) {
    }

    private final RecomputeService recompute;

    public AdminResource(RecomputeService recompute) {
        this.recompute = recompute;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Rebuild an app's facts from the raw store", description = "Idempotent. Example body: {\"app\":\"demo\",\"from\":\"2026-11-01\",\"to\":\"2026-11-21\"}")
    public Uni<Map<String, Object>> recompute(RecomputeRequest request) {
        if (request == null || request.app() == null) {
            throw ProblemException.badRequest("app is required", "app");
        }
        LocalDate from = date(request.from(), "from");
        LocalDate to = date(request.to(), "to");
        if (from.isAfter(to) || ChronoUnit.DAYS.between(from, to) >= 400) {
            throw ProblemException.badRequest("from must not be after to, and the range at most 400 days", "from");
        }
        return recompute.recompute(request.app(), from, to).map(n -> Map.of("app", request.app(), "from", from.toString(),
                "to", to.toString(), "events_replayed", n));
    }

    private static LocalDate date(String value, String field) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException | NullPointerException e) {
            throw ProblemException.badRequest(field + " must be a date YYYY-MM-DD", field);
        }
    }
}
