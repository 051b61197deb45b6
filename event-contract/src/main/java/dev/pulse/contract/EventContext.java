package dev.pulse.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** SPEC §2 {@code context}; every field optional. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventContext(String userAgent, String device, String browser, String host, String url, String referrer,
        String ip) {

    public static final EventContext NONE = new EventContext(null, null, null, null, null, null, null);
}
