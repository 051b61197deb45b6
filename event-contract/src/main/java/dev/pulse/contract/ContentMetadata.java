package dev.pulse.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** Value of the compacted {@link Topics#CATALOG_CONTENT}; key = {@link Topics#contentKey}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContentMetadata(String appId, String contentId, String title, String contentType,
        Integer lengthSeconds, Instant publishTs) {
}
