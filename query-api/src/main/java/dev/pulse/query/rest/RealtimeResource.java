package dev.pulse.query.rest;

import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import jakarta.annotation.security.RolesAllowed;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.service.InputLimits;
import dev.pulse.query.service.RealtimeService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Instant;
import java.util.Map;

@Path("/v1/realtime")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
public class RealtimeResource {
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
    public Uni<Map<String, Object>> realtime(@QueryParam("app") String app, @QueryParam("minutes") String minutesParam) {
        return access.app(app).flatMap(a -> {
            int minutes = InputLimits.integer(minutesParam, "minutes", 30, 1, config.realtimeMaxMinutes());
            return realtime.snapshot(a.appId(), minutes, Instant.now());
        });
    }
}
