package dev.pulse.query.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.query.domain.Funnel;
import dev.pulse.query.domain.FunnelResponse;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.ConcurrencyLimiter;
import dev.pulse.query.service.FunnelParser;
import dev.pulse.query.service.FunnelService;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/v1/funnel")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityRequirement(name = "read-token")
public class FunnelResource {
    private static final String ANSWER = """
            {"results": [{"breakdown_value": null, "steps": [
              {"step": 1, "event": "signup", "users": 120, "conversion_from_first": 1.0, "conversion_from_previous": 1.0,
               "drop_off": 0, "median_seconds_from_previous": null, "p90_seconds_from_previous": null},
              {"step": 2, "event": "feed.view", "users": 84, "conversion_from_first": 0.7, "conversion_from_previous": 0.7,
               "drop_off": 36, "median_seconds_from_previous": 95.5, "p90_seconds_from_previous": 3610.0}]}],
             "meta": {"time_zone": "Europe/Berlin", "window_seconds": 604800},
             "query": {"app": "demo", "steps": [{"event": "signup", "filters": []}, {"event": "feed.view", "filters": []}],
                       "window": "7d", "date_range": ["2026-11-01", "2026-11-30"], "breakdown": null}}""";

    private final ReadAccess access;
    private final FunnelParser parser;
    private final FunnelService service;
    private final ConcurrencyLimiter limiter;
    private final JsonBodies bodies;

    public FunnelResource(ReadAccess access, FunnelParser parser, FunnelService service, ConcurrencyLimiter limiter, JsonBodies bodies) {
        this.access = access;
        this.parser = parser;
        this.service = service;
        this.limiter = limiter;
        this.bodies = bodies;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Funnel", description = """
            Users who did the steps in order: each step's event strictly after the previous step's, the same user, at \
            most `window` after the first step's event (inclusive); the first step on a day of `date_range` (app-local). \
            A user's attempt that gets furthest counts (the earliest of equals), once per step; its times give the \
            median and 90th percentile (nearest rank) seconds from the previous step. Steps may filter like /v1/query. \
            Optional breakdown by a user trait or device, valued on the counted attempt's first event. Exact; without \
            step filters or a breakdown, read from the per-user event times aggregate keeps (closed weeks cached), else \
            from the raw store.""")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(
            name = "signup to first view", value = """
            {"app": "demo", "steps": [{"event": "signup"}, {"event": "feed.view", "filters": [["is", "device", ["mobile"]]]}],
             "window": "7d", "date_range": ["2026-11-01", "2026-11-30"]}""")))
    @APIResponse(responseCode = "200", description = "Per breakdown group, the figures of each step", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = FunnelResponse.class),
            examples = @ExampleObject(name = "two steps", value = ANSWER)))
    @APIResponse(responseCode = "400", description = "Fewer than 2 or more than 10 steps, a malformed event name or filter, a window"
            + " outside 1m–90d, bad dates, a breakdown that is not a user trait or device, more users than max-rows; names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    @APIResponse(responseCode = "429", description = "Too many queries of this app at once; see Retry-After")
    public Uni<FunnelResponse> funnel(byte[] body) {
        JsonNode json = bodies.object(body);
        return access.app(JsonBodies.app(json)).flatMap(app -> {
            Funnel funnel = parser.parse(json, app);
            return limiter.limit(app.appId(), () -> service.run(funnel)).map(groups -> new FunnelResponse(groups,
                    Map.of("time_zone", app.zone().getId(), "window_seconds", funnel.window().toSeconds()), echo(funnel, json)));
        });
    }

    private static Map<String, Object> echo(Funnel funnel, JsonNode json) {
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("app", funnel.app().appId());
        echo.put("steps", funnel.steps().stream().map(s -> Map.of("event", s.event(), "filters",
                s.filters().stream().map(f -> List.of(f.op(), f.dimension().apiName(), f.values())).toList())).toList());
        echo.put("window", json.path("window").isTextual() ? json.path("window").textValue() : FunnelParser.DEFAULT_WINDOW);
        echo.put("date_range", List.of(funnel.from().toString(), funnel.to().toString()));
        echo.put("breakdown", funnel.breakdown() == null ? null : funnel.breakdown().apiName());
        return echo;
    }
}
