package dev.pulse.query.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.problem.Problem;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refusals of the HTTP layer, before any resource runs, leave as problem+json too: a body over
 * quarkus.http.limits.max-body-size is a 413 (Vert.x would answer it with no body).
 */
@ApplicationScoped
public class HttpLayerProblems {
    private final ObjectMapper mapper;
    private final long maxBodyBytes;

    public HttpLayerProblems(ObjectMapper mapper, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.mapper = mapper;
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::refuseOversizedBody);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::answerFailure);
    }

    /** Told by Content-Length, before a byte of the body is read. */
    private void refuseOversizedBody(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19 && Long.parseLong(length) > maxBodyBytes) {
            context.response().putHeader(HttpHeaderNames.CONNECTION, "close");
            problem(context, 413);
            return;
        }
        context.next();
    }

    /** A chunked body found too large while read, or any other refusal the HTTP layer makes. */
    private void answerFailure(RoutingContext context) {
        int status = context.statusCode();
        if (status < 400 || status >= 500 || context.response().headWritten()) {
            context.next();
            return;
        }
        problem(context, status);
    }

    private void problem(RoutingContext context, int status) {
        String reason = HttpResponseStatus.valueOf(status).reasonPhrase();
        String detail = status == 413 ? "body is over " + maxBodyBytes + " bytes" : reason;
        try {
            context.response().setStatusCode(status).putHeader(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(mapper.writeValueAsString(new Problem("about:blank", reason, status, detail, null, null)));
        } catch (JsonProcessingException e) {
            context.fail(e);
        }
    }
}
