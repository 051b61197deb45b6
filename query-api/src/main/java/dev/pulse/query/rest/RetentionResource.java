package dev.pulse.query.rest;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.RetentionReport;
import dev.pulse.query.security.ReadAccess;
import dev.pulse.query.security.ReadTokenMechanism;
import dev.pulse.query.service.ConcurrencyLimiter;
import dev.pulse.query.service.InputLimits;
import dev.pulse.query.service.RetentionService;
import dev.pulse.query.service.SegmentParser;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.web.security.Roles;
import io.quarkus.vertx.http.runtime.security.annotation.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
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

@Path("/v1/retention")
@HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)
@RolesAllowed(Roles.READER)
@SecurityRequirement(name = "read-token")
public class RetentionResource {
    private static final String EXAMPLE = """
            {"app": "demo", "period": "day", "horizon": 2, "breakdown": "user:country",
             "cohorts": [{"cohort": "2026-01-01", "breakdown_value": "FR", "size": 40, "retained": [40, 12, 9], "rates": [1.0, 0.3, 0.225]},
                         {"cohort": "2026-01-02", "breakdown_value": "FR", "size": 0, "retained": [0, 0, 0], "rates": [0.0, 0.0, 0.0]}]}""";

    private final ReadAccess access;
    private final RetentionService retention;
    private final QueryConfig config;
    private final ConcurrencyLimiter limiter;
    private final SegmentParser segments;

    public RetentionResource(ReadAccess access, RetentionService retention, QueryConfig config, ConcurrencyLimiter limiter,
            SegmentParser segments) {
        this.access = access;
        this.retention = retention;
        this.config = config;
        this.limiter = limiter;
        this.segments = segments;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cohort retention", description = """
            Cohorts of the users first seen in each period of from..to, and the share of them active N periods later. \
            Optional filters (as in /v1/query, user:* dimensions only, JSON in the query string) keep the users whose \
            traits on their first day pass them; an optional breakdown (a user:* dimension) splits every cohort by the \
            trait on the first day (breakdown_value on each cohort). \
            Example: /v1/retention?app=demo&from=2026-01-01&to=2026-01-30&period=day&horizon=7&breakdown=user:country\
            &filters=%5B%5B%22is%22%2C%22user%3Aos%22%2C%5B%22ios%22%5D%5D%5D""")
    @APIResponse(responseCode = "200", description = "Every period of the range for every group; breakdown only when asked",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetentionReport.class),
                    examples = @ExampleObject(name = "by country", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Bad dates, period, horizon (0..90), filters or breakdown, range over the maximum;"
            + " names the field")
    @APIResponse(responseCode = "401", description = "Missing or unknown read token")
    @APIResponse(responseCode = "404", description = "The token is not one of this app")
    @APIResponse(responseCode = "429", description = "Too many queries of this app at once; see Retry-After")
    public Uni<RetentionReport> retention(@QueryParam("app") String app, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("period") @DefaultValue("day") String period, @QueryParam("horizon") String horizonParam,
            @QueryParam("filters") String filters, @QueryParam("breakdown") String breakdown) {
        return access.app(app).flatMap(a -> {
            LocalDate start = InputLimits.date(from, "from");
            LocalDate end = InputLimits.date(to, "to");
            InputLimits.range(start, end, config.maxRangeDays());
            if (!period.equals("day") && !period.equals("week")) {
                throw ProblemException.badRequest("period must be day or week", "period");
            }
            int horizon = InputLimits.integer(horizonParam, "horizon", 7, 0, 90);
            RetentionService.Segment segment = segments.parse(filters, breakdown);
            return limiter.limit(a.appId(), () -> retention.cohorts(a, start, end, period.equals("week"), horizon, segment))
                    .map(cohorts -> new RetentionReport(a.appId(), period, horizon,
                            segment.breakdown() == null ? null : segment.breakdown().apiName(), cohorts));
        });
    }
}
