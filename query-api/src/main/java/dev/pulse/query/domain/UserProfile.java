package dev.pulse.query.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.LocalDate;
import java.util.List;

/**
 * {@code GET /v1/users/{user_id}}: current traits (null without a current dimension row), first and last event, the
 * active dates of a month, L7/L28 (active days of the 7 and 28 days ending today), devices and messenger figures.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record UserProfile(String app, String userId, Traits traits, String firstSeen, String lastSeen, String month,
        List<LocalDate> activeDates, long l7, long l28, List<Device> devices, Messenger messenger) {

    /** The user's current traits, valid since {@code since}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Traits(Integer gender, Integer age, String os, String source, String country, String city, Integer expGroup,
            String since) {
    }

    /** A device and browser the user was active on: first and last active day, and on how many days. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Device(String device, String browser, LocalDate firstActive, LocalDate lastActive, Integer activeDays) {
    }
}
