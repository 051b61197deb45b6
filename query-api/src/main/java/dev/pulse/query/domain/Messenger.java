package dev.pulse.query.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.LocalDate;
import java.util.List;

/**
 * A user's messenger cadence and connections over from..to: messages each way, distinct users written to and heard
 * from, the mean time between consecutive messages within a day (null without a day of two), and the users they
 * exchanged most with.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Messenger(LocalDate from, LocalDate to, long messagesSent, long messagesReceived, long sentTo, long receivedFrom,
        Double avgSecondsBetweenSent, Double avgSecondsBetweenReceived, List<Connection> topConnections) {

    /** Messages exchanged with one other user over the range. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Connection(String userId, long sent, long received) {
    }
}
