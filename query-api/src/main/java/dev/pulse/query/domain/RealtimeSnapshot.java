package dev.pulse.query.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * {@code GET /v1/realtime}: distinct users and events of the last {@code minutes} minutes, events per minute (oldest
 * first), and the most played content and most frequent events over them.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RealtimeSnapshot(String app, int minutes, long activeUsers, long events, List<Minute> eventsPerMinute,
        List<TopContent> topContent, List<TopEvent> topEvents) {

    /** Events of the minute starting at {@code minute}. */
    public record Minute(String minute, long events) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TopContent(String contentId, long events) {
    }

    public record TopEvent(String event, long events) {
    }
}
