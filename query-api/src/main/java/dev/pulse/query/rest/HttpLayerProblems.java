package dev.pulse.query.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.web.problem.Problem;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body whose Content-Length is over quarkus.http.limits.max-body-size is refused before a byte of it is read,
 * as problem+json like every other answer (Vert.x would send a bare 413). A chunked body found too large while
 * it is read still gets the REST layer's bare 413.
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
    }

    private void refuseOversizedBody(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaderNames.CONTENT_LENGTH);
        if (length == null || length.isEmpty() || length.length() > 18 || !length.chars().allMatch(Character::isDigit)
                || Long.parseLong(length) <= maxBodyBytes) {
            context.next();
            return;
        }
        if (context.request().version() != HttpVersion.HTTP_2) {
            // the body is not read: the connection cannot carry another request (HTTP/2 forbids the header)
            context.response().putHeader(HttpHeaderNames.CONNECTION, "close");
        }
        try {
            context.response().setStatusCode(413).putHeader(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(mapper.writeValueAsString(new Problem("about:blank", "Content Too Large", 413,
                            "body is over " + maxBodyBytes + " bytes", null, null)));
        } catch (JsonProcessingException e) {
            context.fail(e);
        }
    }
}
