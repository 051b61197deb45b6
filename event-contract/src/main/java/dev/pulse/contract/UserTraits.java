package dev.pulse.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** SPEC §2 {@code user} traits; every field optional. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserTraits(Integer gender, Integer age, String os, String source, String country, String city,
        Integer expGroup) {

    public static final UserTraits NONE = new UserTraits(null, null, null, null, null, null, null);

    public boolean isEmpty() {
        return equals(NONE);
    }
}
