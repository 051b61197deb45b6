package dev.pulse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Resident memory (from /proc) and used heap (from the service's Prometheus metrics) of each service. */
final class ServiceStats {
    record Memory(double rssMiB, double heapMiB) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> urls;

    ServiceStats(Map<String, String> urls) {
        this.urls = urls;
    }

    Map<String, Memory> sample() throws IOException, InterruptedException {
        Map<String, Memory> memory = new LinkedHashMap<>();
        for (Map.Entry<String, String> service : urls.entrySet()) {
            memory.put(service.getKey(), new Memory(rss(service.getKey()), heap(service.getValue())));
        }
        return memory;
    }

    private static double rss(String service) throws IOException {
        ProcessHandle process = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(service + "/target/quarkus-app/quarkus-run.jar"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no process of " + service));
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + service);
    }

    private double heap(String url) throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        double bytes = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                bytes += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return bytes / 1024 / 1024;
    }
}
