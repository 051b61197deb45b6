package dev.pulse.aggregate.domain;

import java.util.HashMap;
import java.util.Map;

/**
 * The sender-receiver pairs a batch added to fact_user_connections, counted per user-day on each side: what the
 * batch adds to fact_daily_messenger's distinct users sent to and received from.
 */
public record NewConnections(Map<UserDay, Integer> sent, Map<UserDay, Integer> received) {
    public NewConnections() {
        this(new HashMap<>(), new HashMap<>());
    }

    public void add(CounterDelta.Connection connection) {
        sent.merge(new UserDay(connection.appId(), connection.date(), connection.sender()), 1, Integer::sum);
        received.merge(new UserDay(connection.appId(), connection.date(), connection.receiver()), 1, Integer::sum);
    }
}
