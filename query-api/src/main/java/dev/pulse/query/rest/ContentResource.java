package dev.pulse.query.rest;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.ContentReport;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.ConcurrencyLimiter;
import dev.pulse.query.service.ContentService;
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

import java.time.LocalDate;

@Path("/v1/content/{id}")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityRequirement(name = "read-token")
public class ContentResource {
    private static final String EXAMPLE = """
            {"app": "demo", "content_id": "v-17", "title": "Intro", "content_type": "video", "length_seconds": 120,
             "from": "2026-11-01", "to": "2026-11-01",
             "totals": {"plays": 9, "players": 7, "events": 15, "engagement_seconds": 610.5, "avg_engagement_pct": 0.5088},
             "days": [{"date": "2026-11-01", "plays": 9, "players": 7, "events": 15, "engagement_seconds": 610.5, "avg_engagement_pct": 0.5088}]}""";

    private final ReadAccess access;
    private final ContentService content;
    private final QueryConfig config;
    private final ConcurrencyLimiter limiter;

    public ContentResource(ReadAccess access, ContentService content, QueryConfig config, ConcurrencyLimiter limiter) {
        this.access = access;
        this.content = content;
        this.config = config;
        this.limiter = limiter;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A content item's day by day figures", description = """
            Plays, distinct players, engagement events, engagement seconds and the mean engagement share (engagement_pct, \
            4 decimal places; null when no engagement had a known length) for each app-local day of from..to (default: the \
            30 days ending today), the range's totals (players distinct over the range), and the item's catalog entry \
            (nulls when it has none). From fact_content_engagement_daily and content_daily_players. \
            Example: /v1/content/v-17?app=demo&from=2026-11-01&to=2026-11-30""")
    @APIResponse(responseCode = "200", description = "Every day of the range, zeros where the item had no engagement",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ContentReport.class),
                    examples = @ExampleObject(name = "one day", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Bad id or dates, range over the maximum; names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    @APIResponse(responseCode = "429", description = "Too many queries of this app at once; see Retry-After")
    public Uni<ContentReport> content(@PathParam("id") String id,
            @QueryParam("app") String app, @QueryParam("from") String from, @QueryParam("to") String to) {
        return access.app(app).flatMap(a -> {
            String contentId = InputLimits.text(id, "id");
            var days = InputLimits.days(from, to, LocalDate.now(a.zone()), config.maxRangeDays());
            return limiter.limit(a.appId(), () -> content.report(a, contentId, days));
        });
    }
}
