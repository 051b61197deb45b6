package dev.pulse.schema.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Citus distribution plan, db/citus/distribute.sql, read back. */
public final class CitusPlan {
    public static final String REFERENCE = "reference";

    /** One table of the plan: {@code column} is {@link #REFERENCE} or the distribution column; colocation "" if none. */
    public record Table(String column, String colocateWith) {
        public boolean reference() {
            return column.equals(REFERENCE);
        }
    }

    private static final Pattern PLANNED = Pattern.compile("create_(reference|distributed)_table\\s*\\(([^)]*)\\)");
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");
    private static final Pattern COLOCATE = Pattern.compile("colocate_with\\s*=>\\s*'([^']*)'");

    private CitusPlan() {
    }

    /** Table → "reference" or its distribution column, in the plan's order; a table planned twice fails. */
    public static Map<String, String> tables() {
        Map<String, String> kinds = new LinkedHashMap<>();
        plan().forEach((name, table) -> kinds.put(name, table.column()));
        return kinds;
    }

    /** Every planned table with its colocation; comments (anywhere on a line) are not part of the plan. */
    public static Map<String, Table> plan() {
        String sql;
        try (InputStream in = CitusPlan.class.getResourceAsStream("/db/citus/distribute.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Table> plan = new LinkedHashMap<>();
        Matcher m = PLANNED.matcher(sql.replaceAll("--[^\n]*", ""));
        while (m.find()) {
            Matcher args = QUOTED.matcher(m.group(2));
            String name = args.find() ? args.group(1) : "";
            String column = m.group(1).equals("reference") ? REFERENCE : args.find() ? args.group(1) : "";
            Matcher colocate = COLOCATE.matcher(m.group(2));
            if (plan.put(name, new Table(column, colocate.find() ? colocate.group(1) : "")) != null) {
                throw new IllegalStateException(name + " is planned twice");
            }
        }
        return plan;
    }
}
