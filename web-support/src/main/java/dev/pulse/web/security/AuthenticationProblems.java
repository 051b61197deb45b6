package dev.pulse.web.security;

import dev.pulse.web.problem.ProblemException;
import dev.pulse.web.problem.ProblemMappers;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Quarkus security's refusals as problem+json, like every other error: a bad or missing credential is a 401
 * naming the Authorization header, a credential of the wrong kind a 403. They replace the framework's own
 * answers (an empty body), which is why authentication is lazy ({@code quarkus.http.auth.proactive=false}).
 */
public final class AuthenticationProblems {
    private AuthenticationProblems() {
    }

    static Response unauthorized(String detail) {
        return Response.fromResponse(ProblemMappers.toResponse(ProblemException.unauthorized(detail)))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @Provider
    public static class FailedMapper implements ExceptionMapper<AuthenticationFailedException> {
        @Override
        public Response toResponse(AuthenticationFailedException e) {
            return unauthorized(e.getMessage() == null ? BearerTokenMechanism.REQUIRED : e.getMessage());
        }
    }

    @Provider
    public static class AnonymousMapper implements ExceptionMapper<UnauthorizedException> {
        @Override
        public Response toResponse(UnauthorizedException e) {
            return unauthorized(BearerTokenMechanism.REQUIRED);
        }
    }

    @Provider
    public static class ForbiddenMapper implements ExceptionMapper<ForbiddenException> {
        @Override
        public Response toResponse(ForbiddenException e) {
            return ProblemMappers.toResponse(new ProblemException(403, "Forbidden", "this credential may not do this", "Authorization", null, null));
        }
    }
}
