package dev.pulse.aggregate;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.PulseInfrastructure;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/** Events sent to aggregate through Kafka until stored, and what the test database holds, for the day-state tests. */
final class Stored {
    private Stored() {
    }

    /** The poll of {@link #send}, told apart by its comment from the service's statements in pg_stat_statements. */
    static final String POLL = "SELECT /* Stored.send */ count(*) FROM events WHERE app_id = ";

    /** Sends the events to the enriched topic through one producer and waits until the raw store holds them all. */
    static void send(String app, List<EnrichedEvent> batch) throws Exception {
        long expected = queryLong(POLL + "'" + app + "'") + batch.size();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, PulseInfrastructure.current().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (EnrichedEvent e : batch) {
                producer.send(new ProducerRecord<>(Topics.ENRICHED, Topics.userKey(app, e.userId()), AggregationIT.MAPPER.writeValueAsString(e)));
            }
        }
        await().atMost(Duration.ofMinutes(3)).until(() -> queryLong(POLL + "'" + app + "'") == expected);
    }

    static String queryString(String sql) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static int execute(String sql) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); var s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    /** The dimensions {@code table} (day_state or open_day_state) does not hold of the app-day, by API name. */
    static Set<String> unheld(String table, String app, LocalDate day) throws SQLException {
        Set<String> names = new HashSet<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); var s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT unnest(unheld) FROM " + table + " WHERE app_id = '" + app + "' AND event_date = '" + day + "'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    static long queryLong(String sql) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
