package dev.pulse.ingest.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.logging.Log;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as problem+json, including the framework's own. */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.MEDIA_TYPE).entity(e.toProblem());
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return problem(ProblemException.badRequest("body is not valid JSON: " + e.getOriginalMessage(), null));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.StatusType type = e.getResponse().getStatusInfo();
        return problem(new ProblemException(status, type.getReasonPhrase(), e.getMessage(), null, null, null));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        Log.error("unexpected error", e);
        return problem(new ProblemException(500, "Internal Server Error", "unexpected error", null, null, null));
    }
}
