package dev.pulse.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time used by each part of the local stack (all descendants of its launcher, classified by command line,
 * and PostgreSQL's server, which detaches from it) and by this load generator: where the machine's cores go.
 */
final class CpuAccounting {
    private final List<String> postgresDataDir;

    /** @param dataDir the stack's data directory, whose {@code postgres} directory the server runs on (named either way) */
    CpuAccounting(Path dataDir) {
        this.postgresDataDir = List.of(dataDir.toAbsolutePath().normalize().resolve("postgres").toString(), dataDir.resolve("postgres").toString());
    }

    static final List<String> PARTS = List.of("load generator", "ingest-service", "enrich-service", "aggregate-service", "query-api",
            "kafka", "postgresql", "redis");

    Map<String, Duration> sample() {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        PARTS.forEach(part -> cpu.put(part, Duration.ZERO));
        cpu.merge("load generator", cpuOf(ProcessHandle.current()), Duration::plus);
        ProcessHandle launcher = ProcessHandle.allProcesses()
                .filter(p -> commandLine(p).contains("dev.pulse.deploy.local.LocalStack"))
                .findFirst().orElseThrow(() -> new IllegalStateException("the local stack is not running"));
        ProcessHandle.allProcesses().filter(p -> postgresDataDir.stream().anyMatch(commandLine(p)::contains)).forEach(postmaster -> {
            cpu.merge("postgresql", cpuOf(postmaster), Duration::plus);
            postmaster.descendants().forEach(backend -> cpu.merge("postgresql", cpuOf(backend), Duration::plus));
        });
        launcher.descendants().forEach(p -> {
            String part = part(commandLine(p));
            if (part != null) {
                cpu.merge(part, cpuOf(p), Duration::plus);
            }
        });
        return cpu;
    }

    static Map<String, Duration> between(Map<String, Duration> before, Map<String, Duration> after) {
        Map<String, Duration> used = new LinkedHashMap<>();
        after.forEach((part, total) -> used.put(part, total.minus(before.getOrDefault(part, Duration.ZERO))));
        return used;
    }

    private static String part(String commandLine) {
        for (String service : List.of("ingest-service", "enrich-service", "aggregate-service", "query-api")) {
            if (commandLine.contains(service + "/target/quarkus-app/quarkus-run.jar")) {
                return service;
            }
        }
        if (commandLine.contains("kafka.Kafka")) {
            return "kafka";
        }
        return commandLine.contains("redis") ? "redis" : null;
    }

    /** From /proc: ProcessHandle's own view cuts long command lines such as the launcher's class path. */
    private static String commandLine(ProcessHandle process) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }

    private static Duration cpuOf(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }
}
