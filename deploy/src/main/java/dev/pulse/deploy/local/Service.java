package dev.pulse.deploy.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One Pulse service, run from its packaged Quarkus app in a child JVM. */
public final class Service implements AutoCloseable {
    private final String name;
    private final Path jar;
    private final Map<String, String> env;
    private final Path log;
    private final String java;
    private final List<String> jvmOptions;
    private final int port;
    private Process process;
    private Duration startup;

    Service(String name, Path jar, int port, Map<String, String> env, Path log, String java, List<String> jvmOptions) {
        this.name = name;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.jar = jar;
        this.port = port;
        this.env = env;
        this.log = log;
        this.java = java;
    }

    void start() throws IOException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw package -DskipTests)");
        }
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        long begin = System.nanoTime();
        process = builder.start();
        startup = Duration.ofNanos(-begin);
    }

    /** Waits until {@code /q/health/ready} answers 200. */
    void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ", see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    startup = startup.plusNanos(System.nanoTime());
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + ", see " + log);
    }

    /** Hard kill, as a crash would: no shutdown hooks, no commits. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public void restart(Duration timeout) throws IOException, InterruptedException {
        kill();
        start();
        awaitReady(timeout);
    }

    public String name() {
        return name;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Time from process start to ready, once ready. */
    public Duration startupTime() {
        return startup;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            ChildProcesses.stop(process, Duration.ofSeconds(20));
        }
    }
}
