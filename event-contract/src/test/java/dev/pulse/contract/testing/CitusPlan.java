package dev.pulse.contract.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Citus distribution plan, db/citus/distribute.sql, read back: table → {@code reference} or its distribution column. */
public final class CitusPlan {
    public static final String REFERENCE = "reference";
    private static final Pattern PLANNED = Pattern.compile("create_(reference|distributed)_table\\('(\\w+)'(?:, '(\\w+)')?");

    private CitusPlan() {
    }

    /** In the plan's order; a table planned twice fails. */
    public static Map<String, String> tables() {
        String sql;
        try (InputStream in = CitusPlan.class.getResourceAsStream("/db/citus/distribute.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> plan = new LinkedHashMap<>();
        Matcher m = PLANNED.matcher(sql.replaceAll("(?m)^--.*$", ""));
        while (m.find()) {
            String kind = m.group(1).equals("reference") ? REFERENCE : m.group(3);
            if (plan.put(m.group(2), kind) != null) {
                throw new IllegalStateException(m.group(2) + " is planned twice");
            }
        }
        return plan;
    }
}
