package dev.pulse.query.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.query.config.QueryConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;

/** Reads a POSTed question: a JSON object of at most max-body-bytes, nothing given twice, nothing after it. */
@ApplicationScoped
public class JsonBodies {
    private final QueryConfig config;
    /** A key given twice or anything after the object is a mistake to report, not to guess about. */
    private final ObjectReader reader;

    public JsonBodies(QueryConfig config, ObjectMapper mapper) {
        this.config = config;
        this.reader = mapper.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public JsonNode object(byte[] body) {
        if (body != null && body.length > config.maxBodyBytes()) {
            throw ProblemException.tooLarge("body is over " + config.maxBodyBytes() + " bytes");
        }
        JsonNode json;
        try {
            json = body == null || body.length == 0 ? null : reader.readTree(body);
        } catch (IOException e) {
            throw ProblemException.badRequest("body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), null);
        }
        if (json == null || !json.isObject()) {
            throw ProblemException.badRequest("body must be a JSON object", null);
        }
        return json;
    }

    /** The app the body names: a string, or absent (then the token's app). */
    public static String app(JsonNode json) {
        JsonNode app = json.path("app");
        if (!app.isMissingNode() && !app.isTextual()) {
            throw ProblemException.badRequest("app: must be a string", "app");
        }
        return app.textValue();
    }
}
