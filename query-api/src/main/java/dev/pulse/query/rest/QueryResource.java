package dev.pulse.query.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Query;
import dev.pulse.query.domain.QueryResponse;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.ConcurrencyLimiter;
import dev.pulse.query.service.QueryParser;
import dev.pulse.query.service.QueryService;
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
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/v1/query")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityScheme(securitySchemeName = "read-token", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An app read token: Authorization: Bearer <read token>")
@SecurityRequirement(name = "read-token")
public class QueryResource {
    private final ReadAccess access;
    private final QueryParser parser;
    private final QueryService service;
    private final ConcurrencyLimiter limiter;
    private final JsonBodies bodies;

    public QueryResource(ReadAccess access, QueryParser parser, QueryService service, ConcurrencyLimiter limiter, JsonBodies bodies) {
        this.access = access;
        this.parser = parser;
        this.service = service;
        this.limiter = limiter;
        this.bodies = bodies;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Dashboard query", description = "Metrics over a date range, broken down by dimensions (SPEC §5–§6, §8:"
            + " sessions, sessions_per_user, avg_session_seconds, bounce_rate; avg_order_value, paying_users; messenger_users,"
            + " receive_only_users, avg_time_between_messages_sent; users_lifetime_7d, feed_users_lifetime_7d,"
            + " messenger_users_lifetime_7d, new_feed_users, new_messenger_users, new_users_7_days_ago, feed_new_users_7_days_ago,"
            + " messenger_new_users_7_days_ago; viewers, likers, avg_view_to_like_seconds; dimensions user:cohort_week and post:id)."
            + " README.md defines each.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT), examples = {
            @ExampleObject(name = "DAU, last 7 days", value = """
                    {"app": "demo", "metrics": ["active_users", "events"], "date_range": "7d", "dimensions": ["time:day"]}"""),
            @ExampleObject(name = "Sessions per user by signup cohort", value = """
                    {"app": "demo", "metrics": ["wau", "sessions_per_user"], "date_range": "30d", "dimensions": ["time:day", "user:cohort_week"]}"""),
            @ExampleObject(name = "Session length and bounces by device", value = """
                    {"app": "demo", "metrics": ["sessions", "avg_session_seconds", "bounce_rate"], "date_range": "7d", "dimensions": ["device"]}"""),
            @ExampleObject(name = "Day-7 figures per country", value = """
                    {"app": "demo", "metrics": ["users_lifetime_7d", "new_users_7_days_ago", "feed_users_lifetime_7d", "feed_new_users_7_days_ago",
                     "messenger_users_lifetime_7d", "messenger_new_users_7_days_ago"], "date_range": "30d", "dimensions": ["time:day", "user:country"]}"""),
            @ExampleObject(name = "Revenue per country", value = """
                    {"app": "demo", "metrics": ["revenue", "avg_order_value", "paying_users"], "date_range": ["2026-11-01", "2026-11-30"],
                     "dimensions": ["user:country"]}"""),
            @ExampleObject(name = "Most viewed posts", value = """
                    {"app": "demo", "metrics": ["views", "viewers", "likes", "likers", "ctr", "avg_view_to_like_seconds"],
                     "date_range": ["2026-11-01", "2026-11-30"], "dimensions": ["post:id"], "order_by": [["views", "desc"]], "limit": 20}"""),
            @ExampleObject(name = "Both sides of messages by country", value = """
                    {"app": "demo", "metrics": ["messenger_users", "receive_only_users", "avg_time_between_messages_sent"], "date_range": "30d",
                     "dimensions": ["time:day", "user:country"]}""")}))
    @APIResponse(responseCode = "200", description = "Rows of dimension values and metric values")
    @APIResponse(responseCode = "400", description = "Unknown metric or dimension, bad dates, range over 400 days; names the field."
            + " Also a question too big to answer (more groups than max-rows, or past the statement timeout): says how to narrow it")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    @APIResponse(responseCode = "413", description = "Body over 64 KiB")
    @APIResponse(responseCode = "429", description = "Too many queries of this app at once; see Retry-After")
    public Uni<QueryResponse> query(byte[] body) {
        JsonNode json = bodies.object(body);
        return access.app(JsonBodies.app(json)).flatMap(a -> {
            Query query = parser.parse(json, a);
            return limiter.limit(a.appId(), () -> service.run(query)).map(answer -> new QueryResponse(answer.rows(),
                    Map.of("total_rows", answer.totalRows(), "time_zone", a.zone().getId()), echo(query)));
        });
    }

    private static Map<String, Object> echo(Query query) {
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("app", query.app().appId());
        echo.put("metrics", query.metrics().stream().map(Metric::apiName).toList());
        echo.put("date_range", List.of(query.from().toString(), query.to().toString()));
        echo.put("dimensions", query.dimensions().stream().map(Dimension::apiName).toList());
        echo.put("filters", query.filters().stream().map(f -> List.of(f.op(), f.dimension().apiName(), f.values())).toList());
        echo.put("order_by", query.orderBy().stream().map(o -> List.of(o.field(), o.descending() ? "desc" : "asc")).toList());
        echo.put("limit", query.limit());
        echo.put("offset", query.offset());
        return echo;
    }
}
