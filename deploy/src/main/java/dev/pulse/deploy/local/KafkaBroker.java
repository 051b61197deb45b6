package dev.pulse.deploy.local;

import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A real single-node KRaft Kafka ({@code kafka.Kafka}) in a child JVM, with its log on disk: data survives a
 * restart of the stack.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Set<String> ADDITIVE = Set.of("listeners", "advertised.listeners", "listener.security.protocol.map");
    private final Process process;
    private final int port;

    private KafkaBroker(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static KafkaBroker start(Path dir, int port, String java, String classpath) throws IOException, InterruptedException {
        return start(dir, port, java, classpath, Map.of());
    }

    /**
     * @param extra more settings; {@code listeners}, {@code advertised.listeners} and
     *              {@code listener.security.protocol.map} add to the PLAINTEXT and CONTROLLER ones (e.g. a SASL
     *              listener whose clients are authorised by ACLs, KafkaAclsIT)
     */
    public static KafkaBroker start(Path dir, int port, String java, String classpath, Map<String, String> extra)
            throws IOException, InterruptedException {
        Path logDir = dir.resolve("log");
        Files.createDirectories(logDir);
        Path config = dir.resolve("server.properties");
        int controllerPort = previousControllerPort(config);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("log.dirs", logDir.toAbsolutePath().toString());
        settings.put("num.partitions", "6");
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("auto.create.topics.enable", "false");
        extra.forEach((key, value) -> settings.merge(key, value,
                (base, more) -> ADDITIVE.contains(key) ? base + "," + more : more));
        StringBuilder properties = new StringBuilder();
        settings.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Files.writeString(config, properties);
        Path logFile = dir.resolve("kafka.log");
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            Process format = new ProcessBuilder(java, "-cp", classpath, "kafka.tools.StorageTool", "format",
                    "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            if (format.waitFor() != 0) {
                throw new IllegalStateException("formatting Kafka storage failed, see " + logFile);
            }
        }
        Process process = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", classpath, "kafka.Kafka", config.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        KafkaBroker broker = new KafkaBroker(process, port);
        Ports.awaitOpen("Kafka", port, Duration.ofSeconds(60), process);
        return broker;
    }

    /** The controller keeps its port across restarts of the same data, as its quorum was formatted with it. */
    private static int previousControllerPort(Path config) throws IOException {
        if (Files.exists(config)) {
            for (String line : Files.readAllLines(config)) {
                if (line.startsWith("controller.quorum.voters=")) {
                    return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
                }
            }
        }
        return Ports.free();
    }

    public int port() {
        return port;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Hard stop, for fault injection. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        ChildProcesses.stop(process, Duration.ofSeconds(30));
    }
}
