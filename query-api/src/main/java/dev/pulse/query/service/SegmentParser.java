package dev.pulse.query.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Retention's {@code filters} (JSON, as in /v1/query, in a query parameter) and {@code breakdown}: user traits only. */
@ApplicationScoped
public class SegmentParser {
    private final ObjectMapper mapper;

    public SegmentParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public RetentionService.Segment parse(String filters, String breakdown) {
        List<Filter> parsed;
        try {
            parsed = filters == null ? List.of() : QueryParser.filters(mapper.readTree(InputLimits.text(filters, "filters")), "filters");
        } catch (JsonProcessingException e) {
            throw InputLimits.bad("must be a JSON array of [op, dimension, [values]], URL-encoded", "filters");
        }
        for (int i = 0; i < parsed.size(); i++) {
            if (!parsed.get(i).dimension().apiName().startsWith("user:")) {
                throw InputLimits.bad("retention segments users by their traits on their first day: a user:* dimension", "filters[" + i + "]");
            }
        }
        Dimension group = null;
        if (breakdown != null) {
            group = Dimension.of(breakdown).filter(d -> d.apiName().startsWith("user:"))
                    .orElseThrow(() -> InputLimits.bad("must be a user:* dimension", "breakdown"));
        }
        return new RetentionService.Segment(parsed, group);
    }
}
