package dev.pulse.deploy.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.bench.generator.ExpectedMetrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every daily metric the generator computes itself, against query-api's answer for the same days. */
public final class DailyMetricsCheck {
    private DailyMetricsCheck() {
    }

    /** The query body asking for exactly {@link ExpectedMetrics#METRICS} per day over the last 7 days. */
    public static String query(String app) {
        return "{\"app\":\"" + app + "\",\"metrics\":[\"" + String.join("\",\"", ExpectedMetrics.METRICS)
                + "\"],\"date_range\":\"7d\",\"dimensions\":[\"time:day\"]}";
    }

    /** @return one line per metric and day that differs; empty when query-api agrees everywhere */
    public static List<String> mismatches(JsonNode results, Map<String, Map<String, Object>> expected) {
        List<String> mismatches = new ArrayList<>();
        for (JsonNode row : results) {
            String day = row.get("dimensions").get(0).asText();
            Map<String, Object> want = expected.getOrDefault(day, Map.of());
            for (int i = 0; i < ExpectedMetrics.METRICS.length; i++) {
                String metric = ExpectedMetrics.METRICS[i];
                BigDecimal wanted = new BigDecimal(String.valueOf(want.getOrDefault(metric, 0)));
                BigDecimal got = row.get("metrics").get(i).decimalValue();
                if (wanted.compareTo(got) != 0) {
                    mismatches.add(day + " " + metric + ": expected " + wanted + ", got " + got);
                }
            }
        }
        return mismatches;
    }
}
