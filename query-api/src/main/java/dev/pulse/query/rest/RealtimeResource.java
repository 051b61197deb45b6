package dev.pulse.query.rest;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.RealtimeSnapshot;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.InputLimits;
import dev.pulse.query.service.RealtimeService;
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

import java.time.Instant;

@Path("/v1/realtime")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityRequirement(name = "read-token")
public class RealtimeResource {
    private static final String EXAMPLE = """
            {"app": "demo", "minutes": 2, "active_users": 17, "events": 52,
             "events_per_minute": [{"minute": "2026-11-21T10:04:00Z", "events": 30}, {"minute": "2026-11-21T10:05:00Z", "events": 22}],
             "top_content": [{"content_id": "v-17", "events": 9}],
             "top_events": [{"event": "page_view", "events": 31}, {"event": "feed.view", "events": 21}]}""";

    private final ReadAccess access;
    private final RealtimeService realtime;
    private final QueryConfig config;

    public RealtimeResource(ReadAccess access, RealtimeService realtime, QueryConfig config) {
        this.access = access;
        this.realtime = realtime;
        this.config = config;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Real time", description = "Active users, events per minute, top content and top events of the last N minutes. Example: /v1/realtime?app=demo&minutes=30")
    @APIResponse(responseCode = "200", description = "Every minute of the window, oldest first; the 10 top content items and events",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RealtimeSnapshot.class),
                    examples = @ExampleObject(name = "two minutes", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "minutes not an integer in range; names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    @APIResponse(responseCode = "503", description = "Redis out of reach; see Retry-After")
    public Uni<RealtimeSnapshot> realtime(@QueryParam("app") String app, @QueryParam("minutes") String minutesParam) {
        return access.app(app).flatMap(a -> {
            int minutes = InputLimits.integer(minutesParam, "minutes", 30, 1, config.realtimeMaxMinutes());
            return realtime.snapshot(a.appId(), minutes, Instant.now());
        });
    }
}
