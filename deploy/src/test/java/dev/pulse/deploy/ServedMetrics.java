package dev.pulse.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The series services serve on /q/metrics (Prometheus text format), and what a PromQL expression needs of them. */
final class ServedMetrics {
    /** Labels Prometheus attaches when it scrapes (target labels), not served by the services. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance", "namespace", "pod", "service", "container", "endpoint");
    /** Series Prometheus makes itself. */
    static final Set<String> PROMETHEUS_SERIES = Set.of("up");
    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+).*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One served series: its labels (with the {@code job} a scrape adds) and its value as written. */
    record Series(Map<String, String> labels, String value) {
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, List<Series>> series = new TreeMap<>();

    /** Scrapes one service at {@code baseUrl} and adds its series under {@code job}. */
    ServedMetrics scrape(String job, String baseUrl) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(job + " /q/metrics answered " + response.statusCode());
        }
        add(job, response.body());
        return this;
    }

    /** Adds one service's exposition, each series tagged with {@code job=<service>} as a scrape would. */
    void add(String service, String exposition) {
        for (String line : exposition.split("\n")) {
            Matcher m = SERIES.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher label = LABEL.matcher(m.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            labels.put("job", service);
            series.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new Series(labels, m.group(4)));
        }
    }

    List<Series> series(String name) {
        return series.getOrDefault(name, List.of());
    }

    Set<String> names() {
        return series.keySet();
    }

    /** The values of the series of {@code name} that carry all of {@code labels}. */
    List<String> values(String name, Map<String, String> labels) {
        return series(name).stream().filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).map(Series::value).toList();
    }

    /** Each metric name with the label names of its series, one line each (what a test failure points to). */
    String describe() {
        StringBuilder out = new StringBuilder();
        series.forEach((name, all) -> {
            Set<String> labels = new TreeSet<>();
            all.forEach(s -> labels.addAll(s.labels().keySet()));
            out.append(name).append(' ').append(labels).append('\n');
        });
        return out.toString();
    }

    /** @return what {@code expression} (of {@code where}) names that is not served, one line each */
    List<String> problems(String where, String expression) {
        List<String> problems = new ArrayList<>();
        PromQl.Names names = PromQl.parse(expression);
        Set<String> available = new TreeSet<>(TARGET_LABELS);
        for (PromQl.Selector selector : names.selectors()) {
            List<String> matched = matching(selector);
            Set<String> labels = new TreeSet<>(TARGET_LABELS);
            if (matched.isEmpty()) {
                if (selector.metric() == null || !PROMETHEUS_SERIES.contains(selector.metric())) {
                    problems.add(where + ": no served metric " + (selector.metric() == null ? "matches " + selector.matchers() : selector.metric()));
                }
                continue;
            }
            matched.forEach(name -> series(name).forEach(s -> labels.addAll(s.labels().keySet())));
            labels.add("__name__");
            available.addAll(labels);
            for (String label : selector.matchers().keySet()) {
                if (!labels.contains(label)) {
                    problems.add(where + ": " + matched + " has no label " + label);
                }
            }
        }
        for (String label : names.groupingLabels()) {
            if (!available.contains(label)) {
                problems.add(where + ": groups by " + label + ", which none of its metrics has");
            }
        }
        return problems;
    }

    private List<String> matching(PromQl.Selector selector) {
        if (selector.metric() != null) {
            return series.containsKey(selector.metric()) ? List.of(selector.metric()) : List.of();
        }
        Pattern name = Pattern.compile(selector.matchers().getOrDefault("__name__", ".*"));
        return series.keySet().stream().filter(n -> name.matcher(n).matches()).toList();
    }
}
