package dev.pulse.deploy.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The whole of Pulse on one machine: Kafka, PostgreSQL and Redis (embedded unless given), then the four
 * services, started in parallel and waited for until ready. Closing stops everything in reverse order.
 */
public final class Stack implements AutoCloseable {
    /**
     * @param dataDir       where data and logs live; it survives restarts
     * @param repository    the checkout, to find each service's packaged app
     * @param ports         kafka, postgres, redis, ingest, enrich, aggregate, query; 0 = any free port
     * @param kafka         bootstrap servers of an existing Kafka, or null for the embedded broker
     * @param postgresUrl   {@code postgresql://user:password@host:port/db} of an existing server, or null
     * @param redisUrl      {@code redis://host:port} of an existing server, or null
     * @param replicas      instances of each service; the ports above are the first instance's, the others take free ones
     * @param settings      more environment for every service (e.g. a job's schedule)
     */
    public record Options(Path dataDir, Path repository, int[] ports, String kafka, String postgresUrl, String redisUrl,
            String adminToken, int topicPartitions, int replicas, Map<String, String> settings) {
        public Options {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be at least 1, not " + replicas);
            }
            settings = Map.copyOf(settings);
        }

        /** One instance of each service, with its default settings. */
        public Options(Path dataDir, Path repository, int[] ports, String kafka, String postgresUrl, String redisUrl,
                String adminToken, int topicPartitions) {
            this(dataDir, repository, ports, kafka, postgresUrl, redisUrl, adminToken, topicPartitions, 1, Map.of());
        }
    }

    public static final String[] SERVICES = {"ingest-service", "enrich-service", "aggregate-service", "query-api"};

    /**
     * Beyond every service's 256 MB heap: query-api's answers are short-lived working sets of up to tens of MB (a month
     * by post holds 47k day parts until merged), and in the default 85 MB young generation they were copied and
     * promoted: GC took 104 of 222 ms of such an answer, 53 of 146 ms with 110 MB (bench/RESULTS.md, session 27). The old
     * generation keeps 146 MB for the caches' 51 + 64 MB bounds.
     */
    private static final Map<String, List<String>> JVM_OPTIONS = Map.of("query-api", List.of("-Xmn110m"));

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, List<Service>> services = new HashMap<>();
    private KafkaBroker broker;
    private Database database;
    private Cache cache;
    private String bootstrapServers;

    public static Stack start(Options options) throws Exception {
        Stack stack = new Stack();
        try {
            stack.boot(options);
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    private void boot(Options o) throws IOException, InterruptedException, SQLException, ExecutionException {
        Files.createDirectories(o.dataDir().resolve("logs"));
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("java.class.path");
        if (o.kafka() == null) {
            broker = KafkaBroker.start(o.dataDir().resolve("kafka"), port(o, 0), java, classpath);
            resources.add(broker);
            bootstrapServers = broker.bootstrapServers();
        } else {
            bootstrapServers = o.kafka();
        }
        Database db = o.postgresUrl() == null ? Database.embedded(o.dataDir().resolve("postgres"), port(o, 1)) : Database.external(o.postgresUrl());
        database = db;
        resources.add(db);
        cache = o.redisUrl() == null ? Cache.embedded(o.dataDir().resolve("redis"), port(o, 2)) : Cache.external(o.redisUrl());
        resources.add(cache);

        Map<String, String> env = new HashMap<>();
        // not the prod profile: plaintext Kafka and Redis without a password, and no check of secret strength
        env.put("QUARKUS_PROFILE", "local");
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("PG_REACTIVE_URL", db.reactiveUrl());
        env.put("PG_JDBC_URL", db.jdbcUrl(db.database));
        env.put("PG_USER", db.user);
        env.put("PG_PASSWORD", db.password);
        env.put("PG_QUERY_USER", Database.READER);
        env.put("PG_QUERY_PASSWORD", Database.READER_PASSWORD);
        // aggregate and query-api: the real-time views; ingest: the global per-app rate-limit buckets
        env.put("REDIS_URL", cache.uri);
        env.put("PULSE_INGEST_ADMIN_TOKEN", o.adminToken());
        env.put("PULSE_AGGREGATE_ADMIN_TOKEN", o.adminToken());
        env.put("PULSE_TOPIC_PARTITIONS", String.valueOf(o.topicPartitions()));
        env.putAll(o.settings());

        // the writer services migrate the schema at start; ingest first, so they do not queue on Flyway's lock
        for (int i = 0; i < SERVICES.length; i++) {
            String name = SERVICES[i];
            List<Service> instances = new ArrayList<>();
            for (int r = 0; r < o.replicas(); r++) {
                String instance = r == 0 ? name : name + "-" + (r + 1);
                Service service = new Service(instance, o.repository().resolve(name).resolve("target/quarkus-app/quarkus-run.jar"),
                        r == 0 ? port(o, 3 + i) : Ports.free(), env, o.dataDir().resolve("logs").resolve(instance + ".log"), java,
                        JVM_OPTIONS.getOrDefault(name, List.of()));
                instances.add(service);
                resources.add(service);
            }
            services.put(name, instances);
        }
        Service ingest = service("ingest-service");
        ingest.start();
        ingest.awaitReady(Duration.ofMinutes(3));
        ExecutorService starter = Executors.newFixedThreadPool(SERVICES.length * o.replicas());
        try {
            List<Future<?>> ready = new ArrayList<>();
            for (String name : SERVICES) {
                for (Service service : services.get(name)) {
                    if (service == ingest) {
                        continue;
                    }
                    service.start();
                    ready.add(starter.submit(() -> {
                        service.awaitReady(Duration.ofMinutes(3));
                        return null;
                    }));
                }
            }
            for (Future<?> f : ready) {
                f.get();
            }
        } finally {
            starter.shutdownNow();
        }
    }

    private static int port(Options options, int index) {
        int port = options.ports()[index];
        return port == 0 ? Ports.free() : port;
    }

    /** The first instance of a service. */
    public Service service(String name) {
        return services.get(name).get(0);
    }

    /** Every instance of a service, the first first. */
    public List<Service> instances(String name) {
        return List.copyOf(services.get(name));
    }

    /** A connection to Pulse's database with the services' own (writing) login, for checks and tools. */
    public java.sql.Connection openDatabase() throws SQLException {
        return java.sql.DriverManager.getConnection(database.jdbcUrl(database.database), database.user, database.password);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Hard-kills the embedded broker and starts it again on the same data. */
    public void restartBroker(Options options) throws IOException, InterruptedException {
        killBroker();
        startBroker(options);
    }

    /** Hard-kills the embedded broker, as a crash would; its data and port are kept for {@link #startBroker}. */
    public void killBroker() throws InterruptedException {
        if (broker == null) {
            throw new IllegalStateException("the broker is external");
        }
        resources.remove(broker);
        broker.kill();
    }

    /** Starts the killed broker again on its data and port. */
    public void startBroker(Options options) throws IOException, InterruptedException {
        broker = KafkaBroker.start(options.dataDir().resolve("kafka"), broker.port(),
                ProcessHandle.current().info().command().orElse("java"), System.getProperty("java.class.path"));
        resources.add(0, broker);
    }

    /** Redis as after a restart without persistence: the embedded server comes back empty on its port. */
    public void restartCacheEmpty() throws IOException {
        cache.restartEmpty();
    }

    /** Stops the embedded PostgreSQL and starts it again on the same data and port. */
    public void restartDatabase(Options options) throws IOException, SQLException {
        if (options.postgresUrl() != null) {
            throw new IllegalStateException("the database is external");
        }
        int index = resources.indexOf(database);
        database.close();
        database = Database.embedded(options.dataDir().resolve("postgres"), database.port);
        resources.set(index, database);
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
