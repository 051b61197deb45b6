package dev.pulse.query.rest;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.PostReport;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.ConcurrencyLimiter;
import dev.pulse.query.service.InputLimits;
import dev.pulse.query.service.PostService;
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

@Path("/v1/posts/{id}")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityRequirement(name = "read-token")
public class PostsResource {
    private static final String EXAMPLE = """
            {"app": "demo", "post_id": 42, "from": "2026-11-01", "to": "2026-11-02",
             "totals": {"views": 30, "viewers": 21, "likes": 6, "likers": 5, "ctr": 0.2, "avg_view_to_like_seconds": 41.5},
             "days": [{"date": "2026-11-01", "views": 18, "viewers": 12, "likes": 4, "likers": 3, "ctr": 0.2222, "avg_view_to_like_seconds": 37.0},
                      {"date": "2026-11-02", "views": 12, "viewers": 10, "likes": 2, "likers": 2, "ctr": 0.1667, "avg_view_to_like_seconds": 47.25}]}""";

    private final ReadAccess access;
    private final PostService posts;
    private final QueryConfig config;
    private final ConcurrencyLimiter limiter;

    public PostsResource(ReadAccess access, PostService posts, QueryConfig config, ConcurrencyLimiter limiter) {
        this.access = access;
        this.posts = posts;
        this.config = config;
        this.limiter = limiter;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A post's day by day figures", description = """
            Views, distinct viewers, likes, distinct likers, ctr (likes / views) and the average time from a user's first view \
            to their first like of the post that day, for each app-local day of from..to (default: the 30 days ending today), \
            and the range's totals (viewers and likers distinct over the range). From fact_daily_posts. \
            Example: /v1/posts/42?app=demo&from=2026-11-01&to=2026-11-30""")
    @APIResponse(responseCode = "200", description = "Every day of the range, zeros where the post had no views or likes",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PostReport.class),
                    examples = @ExampleObject(name = "two days", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "id not a non-negative integer, bad dates, range over the maximum; names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    @APIResponse(responseCode = "429", description = "Too many queries of this app at once; see Retry-After")
    public Uni<PostReport> post(@PathParam("id") String id,
            @QueryParam("app") String app, @QueryParam("from") String from, @QueryParam("to") String to) {
        return access.app(app).flatMap(a -> {
            long postId = InputLimits.nonNegativeLong(id, "id");
            var days = InputLimits.days(from, to, LocalDate.now(a.zone()), config.maxRangeDays());
            return limiter.limit(a.appId(), () -> posts.report(a, postId, days));
        });
    }
}
