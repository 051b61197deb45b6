package dev.pulse.web.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** RFC 9457 problem details: the error body of every Pulse API. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, List<?> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
}
