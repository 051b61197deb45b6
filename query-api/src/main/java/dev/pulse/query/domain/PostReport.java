package dev.pulse.query.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.LocalDate;
import java.util.List;

/** {@code GET /v1/posts/{id}}: the range's totals (distinct viewers and likers over the range) and every day of it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PostReport(String app, long postId, LocalDate from, LocalDate to,
        PostDay totals, List<PostDay> days) {
}
