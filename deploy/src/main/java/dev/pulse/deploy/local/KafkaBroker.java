package dev.pulse.deploy.local;

import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real single-node KRaft Kafka ({@code kafka.Kafka}) in a child JVM, with its log on disk: data survives a
 * restart of the stack.
 */
final class KafkaBroker implements AutoCloseable {
    private final Process process;
    private final int port;

    private KafkaBroker(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static KafkaBroker start(Path dir, int port, String java, String classpath) throws IOException, InterruptedException {
        Path logDir = dir.resolve("log");
        Files.createDirectories(logDir);
        Path config = dir.resolve("server.properties");
        int controllerPort = previousControllerPort(config);
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDir.toAbsolutePath(),
                "num.partitions=6",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                ""));
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

    int port() {
        return port;
    }

    String bootstrapServers() {
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
