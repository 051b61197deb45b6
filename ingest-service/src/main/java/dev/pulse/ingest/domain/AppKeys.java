package dev.pulse.ingest.domain;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer of the admin endpoints: the only time the plain keys are ever shown. */
public record AppKeys(String app, String timezone, @JsonProperty("write_key") String writeKey,
        @JsonProperty("read_token") String readToken) {
}
