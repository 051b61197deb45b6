package dev.pulse.query.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Query;
import dev.pulse.query.service.QueryCompiler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the raw store answers to a question: the compiler's raw-store form ({@link QueryCompiler#aggregate}, the SQL
 * every answer came from before the rollups), run over JDBC. Tests hold an answer of {@code POST /v1/query}, read from
 * the rollups and the day state, against it: every metric of SPEC §5 now reads pre-aggregated state, so no metric
 * a question could add would send it to the raw store instead.
 */
public final class RawStoreAnswer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$(\\d+)");
    /** A dimension's SQL NULL (JSON null), as no value of the fixtures reads. */
    private static final String NULL = "\u2205";

    private RawStoreAnswer() {
    }

    /** The question as {@code POST /v1/query}'s body, every row on one page. */
    public static String body(Query query) {
        ObjectNode body = JSON.createObjectNode().put("app", query.app().appId());
        query.metrics().forEach(m -> body.withArray("metrics").add(m.apiName()));
        body.putArray("date_range").add(query.from().toString()).add(query.to().toString());
        ArrayNode dimensions = body.putArray("dimensions");
        query.dimensions().forEach(d -> dimensions.add(d.apiName()));
        ArrayNode filters = body.putArray("filters");
        for (Filter f : query.filters()) {
            ArrayNode values = filters.addArray().add(f.op()).add(f.dimension().apiName()).addArray();
            f.values().forEach(values::add);
        }
        return body.toString();
    }

    /** Per row of an answer (its dimensions as text, null as {@link #NULL}), its metrics as decimals without trailing zeros. */
    public static Map<List<String>, List<BigDecimal>> rows(String answer) {
        Map<List<String>, List<BigDecimal>> rows = new TreeMap<>(RawStoreAnswer::compare);
        try {
            for (JsonNode row : JSON.readTree(answer).path("results")) {
                List<String> key = new ArrayList<>();
                row.path("dimensions").forEach(d -> key.add(d.isNull() ? NULL : d.asText()));
                List<BigDecimal> metrics = new ArrayList<>();
                for (JsonNode m : row.path("metrics")) {
                    assertTrue(m.isNumber(), "a metric is a number: " + row);
                    metrics.add(m.decimalValue().stripTrailingZeros());
                }
                assertNull(rows.put(key, metrics), "one row per group: " + key);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** The raw store's rows for {@code query}, keyed as {@link #rows} keys an answer's. */
    public static Map<List<String>, List<BigDecimal>> of(Connection c, Query query) throws SQLException {
        QueryCompiler.Compiled compiled = new QueryCompiler().aggregate(query, query.metrics());
        // the compiler numbers its parameters for the reactive client; JDBC takes them in order of appearance
        List<Object> params = new ArrayList<>();
        Matcher placeholder = PLACEHOLDER.matcher(compiled.sql());
        StringBuilder sql = new StringBuilder();
        while (placeholder.find()) {
            params.add(compiled.params().get(Integer.parseInt(placeholder.group(1)) - 1));
            placeholder.appendReplacement(sql, "?");
        }
        placeholder.appendTail(sql);
        Map<List<String>, List<BigDecimal>> rows = new TreeMap<>(RawStoreAnswer::compare);
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                s.setObject(i + 1, params.get(i) instanceof String[] values ? c.createArrayOf("text", values) : params.get(i));
            }
            int dims = query.dimensions().size();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    List<String> key = new ArrayList<>();
                    for (int i = 1; i <= dims; i++) {
                        key.add(r.getObject(i) == null ? NULL : r.getObject(i).toString());
                    }
                    List<BigDecimal> metrics = new ArrayList<>();
                    for (int i = dims + 1; i <= dims + query.metrics().size(); i++) {
                        // a float8 as Java prints it, as query-api's JSON does
                        metrics.add(new BigDecimal(String.valueOf(r.getObject(i))).stripTrailingZeros());
                    }
                    assertNull(rows.put(key, metrics), "one row per group: " + key);
                }
            }
        }
        return rows;
    }

    /**
     * The answer equals the raw store's: the same rows, but for the time buckets the answer fills with zeros where
     * the raw store has no row; and something in it. @return the metrics not zero in some row of the raw store's (what the
     * question exercised)
     */
    public static Set<Metric> assertAnswers(Connection c, Query query, String answer, String message) throws SQLException {
        Map<List<String>, List<BigDecimal>> raw = of(c, query);
        Map<List<String>, List<BigDecimal>> answered = rows(answer);
        Set<Metric> exercised = new HashSet<>();
        raw.values().forEach(metrics -> {
            for (int i = 0; i < metrics.size(); i++) {
                if (metrics.get(i).signum() != 0) {
                    exercised.add(query.metrics().get(i));
                }
            }
        });
        assertFalse(exercised.isEmpty(), message + ": the raw store has something to answer");
        List<BigDecimal> zeros = Collections.nCopies(query.metrics().size(), BigDecimal.ZERO);
        Map<List<String>, List<BigDecimal>> expected = new TreeMap<>(RawStoreAnswer::compare);
        answered.keySet().forEach(key -> expected.put(key, raw.getOrDefault(key, zeros)));
        raw.forEach(expected::putIfAbsent);
        assertEquals(expected, answered, message);
        return exercised;
    }

    /** Metrics by API name. */
    public static List<Metric> metrics(String... names) {
        return java.util.Arrays.stream(names).map(n -> Metric.of(n).orElseThrow(() -> new IllegalArgumentException(n))).toList();
    }

    /** Dimensions by API name. */
    public static List<Dimension> dimensions(String... names) {
        return java.util.Arrays.stream(names).map(n -> Dimension.of(n).orElseThrow(() -> new IllegalArgumentException(n))).toList();
    }

    private static int compare(List<String> a, List<String> b) {
        return String.join("\u0000", a).compareTo(String.join("\u0000", b));
    }
}
