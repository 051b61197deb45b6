package dev.pulse.query.rest;

import dev.pulse.query.domain.HostActivity;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.HostService;
import dev.pulse.query.service.InputLimits;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.time.YearMonth;
import java.util.Locale;

@Path("/v1/hosts/{host}/activity")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityRequirement(name = "read-token")
public class HostsResource {
    private static final String EXAMPLE = """
            {"app": "demo", "host": "www.example.com", "month": "2026-02",
             "hit_array": [12, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
             "unique_visitors_array": [5, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}""";

    private final ReadAccess access;
    private final HostService hosts;

    public HostsResource(ReadAccess access, HostService hosts) {
        this.access = access;
        this.hosts = hosts;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A host's month", description = "hit_array and unique_visitors_array, element i = day i of the month. Example: /v1/hosts/www.example.com/activity?app=demo&month=2026-11")
    @APIResponse(responseCode = "200", description = "One element per day of the month, zeros where the host (lowercased) had no hits",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = HostActivity.class),
                    examples = @ExampleObject(name = "a month", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Bad month (YYYY-MM) or host; names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    public Uni<HostActivity> activity(@PathParam("host") String host, @QueryParam("app") String app, @QueryParam("month") String month) {
        return access.app(app).flatMap(a -> {
            YearMonth ym = InputLimits.month(month, "month");
            String normalized = InputLimits.text(host, "host").toLowerCase(Locale.ROOT);
            return hosts.activity(a, normalized, ym);
        });
    }
}
