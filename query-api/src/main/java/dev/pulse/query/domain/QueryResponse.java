package dev.pulse.query.domain;

import java.util.List;
import java.util.Map;

/** The answer of {@code POST /v1/query}: rows, metadata, and the query as it was understood. */
public record QueryResponse(List<ResultRow> results, Map<String, Object> meta, Map<String, Object> query) {
}
