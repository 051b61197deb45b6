package dev.pulse.contract.testing;

import dev.pulse.schema.KeyHash;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Writes test input straight into the real servers, where no service of the module under test would. */
public final class TestData {
    private TestData() {
    }

    /** Inserts an app as ingest's admin API would and returns its read token. */
    public static String createApp(DataSource dataSource, String appId, String timezone) {
        String readToken = "pr_test_" + UUID.randomUUID();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO apps (app_id, timezone, write_key_hash, read_token_hash) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, appId);
            insert.setString(2, timezone);
            insert.setString(3, KeyHash.of("pw_test_" + UUID.randomUUID()));
            insert.setString(4, KeyHash.of(readToken));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return readToken;
    }

    /** Runs one SQL statement. */
    public static void execute(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The rows the planner expects of the app's user_first_seen: what its statistics know of the app (about one row
     * for an app they have not seen), the premise of the tests that compare a new app with an analyzed one.
     */
    public static long plannedUsers(DataSource dataSource, String app) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet plan = statement.executeQuery("EXPLAIN (FORMAT JSON) SELECT * FROM user_first_seen WHERE app_id = '" + app + "'")) {
            plan.next();
            Matcher rows = Pattern.compile("\"Plan Rows\": (\\d+)").matcher(plan.getString(1));
            if (!rows.find()) {
                throw new IllegalStateException("no row estimate in " + plan.getString(1));
            }
            return Long.parseLong(rows.group(1));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row, 0 when there is none. */
    public static long queryLong(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0L;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A trigger refusing rows of {@code table} whose {@code column} starts with "poison": a failure in the sink
     * that no validation knows of. Closing it lets such rows in again.
     */
    public static AutoCloseable refusePoisonIn(DataSource dataSource, String table, String column) {
        String function = "test_refuse_poison_" + table;
        execute(dataSource, "CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW." + column + " LIKE 'poison%' THEN RAISE EXCEPTION 'refused by a test trigger: %', NEW." + column + "; END IF; "
                + "RETURN NEW; END $$");
        execute(dataSource, "CREATE TRIGGER test_refuse_poison BEFORE INSERT OR UPDATE ON " + table + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
        return () -> execute(dataSource, "DROP TRIGGER test_refuse_poison ON " + table);
    }

    public static String newAppId() {
        return "t-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /**
     * An offset of its own, far beyond any a test run reaches (random, like an app id: tests of one run share the
     * database, maybe not one class loader), for the origin of an invalid record made up by a test. A Kafka position
     * holds one record, so invalid_events keeps one row per origin: a second record naming it is a replay, dropped.
     */
    public static long newOffset() {
        return UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE;
    }

    /** Sends records with one key, in order, and waits for the broker's acknowledgement. */
    public static void send(String bootstrapServers, String topic, String key, String... values) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, key, value)).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
