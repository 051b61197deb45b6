package dev.pulse.contract.testing;

import dev.pulse.contract.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.flywaydb.core.Flyway;
import redis.embedded.RedisServer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Real servers for a {@code @QuarkusTest}: an in-process KRaft Kafka, an embedded PostgreSQL with the Pulse
 * schema and an embedded Redis, each on a free port, wired into the Quarkus config. Use with
 * {@code @WithTestResource(PulseInfrastructure.class)}; tests reach the servers through {@link #current()}.
 * A module that never talks to Kafka (query-api) uses {@link WithoutKafka}, which saves starting a broker.
 */
public class PulseInfrastructure implements QuarkusTestResourceLifecycleManager {
    private static volatile PulseInfrastructure current;

    /** PostgreSQL and Redis only. */
    public static class WithoutKafka extends PulseInfrastructure {
        @Override
        boolean withKafka() {
            return false;
        }
    }

    private KafkaClusterTestKit kafka;
    private EmbeddedPostgres postgres;
    private int postgresPort;
    private Path postgresData;
    private RedisServer redis;
    private int redisPort;

    public static PulseInfrastructure current() {
        return current;
    }

    boolean withKafka() {
        return true;
    }

    @Override
    public Map<String, String> start() {
        try {
            if (withKafka()) {
                startKafka();
            }
            postgresPort = freePort();
            postgresData = Files.createTempDirectory("pulse-test-pg");
            startPostgres();
            migrate();
            redisPort = freePort();
            redis = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort)
                    .setting("save \"\"").setting("appendonly no")
                    // as every deployment: real-time views are derived data, least recently used evicted at the cap
                    .setting("maxmemory 256mb").setting("maxmemory-policy volatile-lru").build();
            redis.start();
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("could not start the test infrastructure", e);
        }
        current = this;
        String jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
        Map<String, String> config = new HashMap<>(Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl,
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + postgres.getPort() + "/postgres",
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres",
                "quarkus.redis.hosts", redisUri()));
        if (kafka != null) {
            config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        }
        return config;
    }

    private void startKafka() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        createTopics();
    }

    /** As a deployment would have them: a module under test may only consume a topic it never creates. */
    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(Topics.RAW, 3, (short) 1),
                    new NewTopic(Topics.ENRICHED, 3, (short) 1),
                    new NewTopic(Topics.INVALID, 3, (short) 1),
                    new NewTopic(Topics.ERASURES, 3, (short) 1),
                    new NewTopic(Topics.CATALOG_CONTENT, 3, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
    }

    /** Query-api owns no migrations; its tests need the schema that the writer services create. */
    private void migrate() {
        Flyway.configure().dataSource(postgres.getPostgresDatabase())
                .locations("classpath:db/migration").load().migrate();
    }

    /**
     * PostgreSQL really gone for {@code outage}: its server stopped, every connection refused. {@code during}
     * runs right after the stop (send traffic, watch health); the server starts again, on the same port with
     * the same data, once the outage is over.
     */
    public void withPostgresDown(Duration outage, Runnable during) throws InterruptedException {
        stopPostgres();
        Instant stopped = Instant.now();
        try {
            during.run();
            // the outage lasts as long as asked, whatever happens meanwhile: this wait is the scenario, not a synchronisation
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), stopped.plus(outage)).toMillis()));
        } finally {
            startPostgres();
        }
    }

    /** Redis really gone while {@code during} runs: its server stopped; it starts again, empty, on the same port. */
    public void withRedisDown(Runnable during) throws IOException {
        redis.stop();
        try {
            during.run();
        } finally {
            redis.start();
        }
    }

    private void stopPostgres() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startPostgres() {
        try {
            // pg_stat_statements: tests can list the statements a service sent (AppScopedStatementsIT)
            postgres = EmbeddedPostgres.builder().setPort(postgresPort).setDataDirectory(postgresData)
                    .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                    .setServerConfig("pg_stat_statements.max", "20000")
                    .setCleanDataDirectory(false).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public javax.sql.DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    /** A hot standby of this PostgreSQL, streaming from it; the caller closes it. */
    public StandbyPostgres startStandby(String name) {
        return StandbyPostgres.of(dataSource(), postgresPort, postgresData, name);
    }

    public String redisUri() {
        return "redis://127.0.0.1:" + redisPort;
    }

    @Override
    public void stop() {
        current = null;
        try {
            if (redis != null) {
                redis.stop();
            }
            if (postgres != null) {
                postgres.close();
            }
            if (postgresData != null) {
                deleteTree(postgresData);
            }
            if (kafka != null) {
                kafka.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the test infrastructure", e);
        }
    }

    /** Deletes a directory and everything under it (a server's data directory, once the server is stopped). */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
