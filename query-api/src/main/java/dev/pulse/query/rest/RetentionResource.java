package dev.pulse.query.rest;

import dev.pulse.contract.problem.ProblemException;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.service.ConcurrencyLimiter;
import dev.pulse.query.service.InputLimits;
import dev.pulse.query.service.RetentionService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.LocalDate;
import java.util.Map;

@Path("/v1/retention")
public class RetentionResource {
    private final ReadTokenAuthenticator auth;
    private final RetentionService retention;
    private final QueryConfig config;
    private final ConcurrencyLimiter limiter;

    public RetentionResource(ReadTokenAuthenticator auth, RetentionService retention, QueryConfig config, ConcurrencyLimiter limiter) {
        this.auth = auth;
        this.retention = retention;
        this.config = config;
        this.limiter = limiter;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cohort retention", description = "Example: /v1/retention?app=demo&from=2026-01-01&to=2026-01-30&period=day&horizon=7")
    public Uni<Map<String, Object>> retention(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("app") String app, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("period") @DefaultValue("day") String period, @QueryParam("horizon") String horizonParam) {
        return auth.authorize(authorization, app).flatMap(a -> {
            LocalDate start = InputLimits.date(from, "from");
            LocalDate end = InputLimits.date(to, "to");
            InputLimits.range(start, end, config.maxRangeDays());
            if (!period.equals("day") && !period.equals("week")) {
                throw ProblemException.badRequest("period must be day or week", "period");
            }
            int horizon = InputLimits.integer(horizonParam, "horizon", 7, 0, 90);
            return limiter.limit(a.appId(), () -> retention.cohorts(a, start, end, period.equals("week"), horizon)).map(cohorts -> Map.of(
                    "app", a.appId(), "period", period, "horizon", horizon, "cohorts", cohorts));
        });
    }
}
