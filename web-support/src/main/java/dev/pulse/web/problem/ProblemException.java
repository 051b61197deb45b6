package dev.pulse.web.problem;

import java.util.List;

/** A request that ends in a problem+json answer; each service maps it to its HTTP response. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final String field;
    private final Integer retryAfterSeconds;
    private final List<?> errors;

    public ProblemException(int status, String title, String detail, String field, Integer retryAfterSeconds,
            List<?> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
        this.errors = errors;
    }

    public static ProblemException badRequest(String detail, String field) {
        return new ProblemException(400, "Bad Request", detail, field, null, null);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "Unauthorized", detail, "Authorization", null, null);
    }

    public static ProblemException notFound(String detail, String field) {
        return new ProblemException(404, "Not Found", detail, field, null, null);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "Content Too Large", detail, null, null, null);
    }

    /** @param header the header whose value is not supported: Content-Type or Content-Encoding */
    public static ProblemException unsupportedMediaType(String detail, String header) {
        return new ProblemException(415, "Unsupported Media Type", detail, header, null, null);
    }

    public static ProblemException tooManyRequests(String detail, int retryAfterSeconds) {
        return new ProblemException(429, "Too Many Requests", detail, null, retryAfterSeconds, null);
    }

    public static ProblemException unavailable(String detail, int retryAfterSeconds) {
        return new ProblemException(503, "Service Unavailable", detail, null, retryAfterSeconds, null);
    }

    public int status() {
        return status;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Problem toProblem() {
        return new Problem("about:blank", title, status, getMessage(), field, errors);
    }
}
