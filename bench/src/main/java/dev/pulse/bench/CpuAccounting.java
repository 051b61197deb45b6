package dev.pulse.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time used by each part of the local stack (all descendants of its launcher, classified by command line,
 * and PostgreSQL's server, which detaches from it) and by this load generator: where the machine's cores go. Of each
 * JVM's, the share its JIT compiler threads used is told apart: compiling hot paths is a cost of a JVM's first
 * minutes, not of each event, and a 30-s run still pays much of it.
 */
final class CpuAccounting {
    /** A part's CPU time, and of it its JIT compiler threads' (a thread that ended between two samples is not in the latter). */
    record Usage(Duration total, Duration jit) {
        static final Usage NONE = new Usage(Duration.ZERO, Duration.ZERO);

        Usage plus(Usage other) {
            return new Usage(total.plus(other.total), jit.plus(other.jit));
        }

        Usage minus(Usage other) {
            return new Usage(total.minus(other.total), jit.minus(other.jit));
        }
    }

    private final List<String> postgresDataDir;

    /** @param dataDir the stack's data directory, whose {@code postgres} directory the server runs on (named either way) */
    CpuAccounting(Path dataDir) {
        this.postgresDataDir = List.of(dataDir.toAbsolutePath().normalize().resolve("postgres").toString(), dataDir.resolve("postgres").toString());
    }

    static final List<String> PARTS = List.of("load generator", "ingest-service", "enrich-service", "aggregate-service", "query-api",
            "kafka", "postgresql", "redis");

    Map<String, Usage> sample() {
        Map<String, Usage> cpu = new LinkedHashMap<>();
        PARTS.forEach(part -> cpu.put(part, Usage.NONE));
        cpu.merge("load generator", cpuOf(ProcessHandle.current()), Usage::plus);
        ProcessHandle launcher = ProcessHandle.allProcesses()
                .filter(p -> commandLine(p).contains("dev.pulse.deploy.local.LocalStack"))
                .findFirst().orElseThrow(() -> new IllegalStateException("the local stack is not running"));
        cpu.put("postgresql", new Usage(postgresProcesses().values().stream().reduce(Duration.ZERO, Duration::plus), Duration.ZERO));
        launcher.descendants().forEach(p -> {
            String part = part(commandLine(p));
            if (part != null) {
                cpu.merge(part, cpuOf(p), Usage::plus);
            }
        });
        return cpu;
    }

    /**
     * PostgreSQL's CPU time by kind of process, named as the server titles them ("client backend" for a connection's),
     * and "ended" for those that ended and were waited for (autovacuum and parallel workers, closed connections'
     * backends): without them a worker that starts and ends within a phase would count nothing, one that ends in it
     * less than nothing. Its CPU moves to "ended" when it ends, so a kind's figure between two samples may come out
     * below its true share, never the sum.
     */
    Map<String, Duration> postgresProcesses() {
        Map<String, Duration> cpu = new TreeMap<>();
        ProcessHandle.allProcesses().filter(p -> postgresDataDir.stream().anyMatch(commandLine(p)::contains)).forEach(postmaster -> {
            Map<String, Duration> server;
            long ended;
            // a child that ended while its siblings were read would count in neither: read again until none did
            do {
                ended = endedChildrenTicks(postmaster);
                server = new TreeMap<>(Map.of("postmaster", cpuOf(postmaster).total()));
                for (ProcessHandle child : postmaster.descendants().toList()) {
                    server.merge(kind(commandLine(child)), cpuOf(child).total(), Duration::plus);
                }
            } while (ended != endedChildrenTicks(postmaster));
            server.put("ended", Duration.ofMillis(1000 * ended / ProcStat.TICKS_PER_SECOND));
            server.forEach((kind, used) -> cpu.merge(kind, used, Duration::plus));
        });
        return cpu;
    }

    /* "postgres: walwriter", "postgres: autovacuum worker pulse", "postgres: pulse pulse 127.0.0.1(51234) idle" */
    private static String kind(String title) {
        String name = title.replaceFirst("^postgres: ", "").trim();
        for (String kind : List.of("autovacuum worker", "autovacuum launcher", "parallel worker", "background writer", "checkpointer",
                "walwriter", "logical replication launcher", "archiver", "walsender", "walsummarizer")) {
            if (name.startsWith(kind)) {
                return kind;
            }
        }
        return name.matches("\\S+ \\S+ (\\S+\\(\\d+\\)|\\[local\\]).*") ? "client backend" : "other";
    }

    static Map<String, Usage> between(Map<String, Usage> before, Map<String, Usage> after) {
        Map<String, Usage> used = new LinkedHashMap<>();
        after.forEach((part, total) -> used.put(part, total.minus(before.getOrDefault(part, Usage.NONE))));
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

    private static Usage cpuOf(ProcessHandle process) {
        return new Usage(process.info().totalCpuDuration().orElse(Duration.ZERO), Duration.ofMillis(1000 * jitTicks(process) / ProcStat.TICKS_PER_SECOND));
    }

    private static long endedChildrenTicks(ProcessHandle process) {
        try {
            return ProcStat.read(Path.of("/proc", String.valueOf(process.pid()), "stat")).endedChildrenTicks();
        } catch (IOException ended) {
            return 0;
        }
    }

    /** The user and system ticks of the process's threads named as HotSpot names its compiler threads. */
    private static long jitTicks(ProcessHandle process) {
        File[] tasks = new File("/proc/" + process.pid() + "/task").listFiles();
        long ticks = 0;
        for (File task : tasks == null ? new File[0] : tasks) {
            try {
                ProcStat stat = ProcStat.read(task.toPath().resolve("stat"));
                if (stat.name().startsWith("C1 CompilerThre") || stat.name().startsWith("C2 CompilerThre")) {
                    ticks += stat.ticks();
                }
            } catch (IOException ended) {
                // the thread ended after the listing: its time is left out, as Usage says
            }
        }
        return ticks;
    }
}
