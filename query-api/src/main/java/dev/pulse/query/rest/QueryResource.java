package dev.pulse.query.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.contract.problem.ProblemException;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Query;
import dev.pulse.query.domain.QueryResponse;
import dev.pulse.query.service.QueryParser;
import dev.pulse.query.service.QueryService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Path("/v1/query")
public class QueryResource {
    private final ReadTokenAuthenticator auth;
    private final QueryParser parser;
    private final QueryService service;

    public QueryResource(ReadTokenAuthenticator auth, QueryParser parser, QueryService service) {
        this.auth = auth;
        this.parser = parser;
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Dashboard query", description = "Metrics over a date range, broken down by dimensions (SPEC §5–§6).")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "DAU, last 7 days", value = """
            {"app": "demo", "metrics": ["active_users", "events"], "date_range": "7d", "dimensions": ["time:day"]}""")))
    @APIResponse(responseCode = "200", description = "Rows of dimension values and metric values")
    @APIResponse(responseCode = "400", description = "Unknown metric or dimension, bad dates, range over 400 days; names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    public Uni<QueryResponse> query(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("body must be a JSON object", null);
        }
        return auth.authorize(authorization, body.path("app").asText(null)).flatMap(app -> {
            Query query = parser.parse(body, app);
            return service.run(query).map(answer -> new QueryResponse(answer.rows(),
                    Map.of("total_rows", answer.totalRows(), "time_zone", app.zone().getId()), echo(query)));
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
