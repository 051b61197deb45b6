package dev.pulse.schema;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import dev.pulse.schema.testing.CitusPlan;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migrated schema can be distributed by app_id on Citus (issue 19): every table is either distributed by app_id
 * (NOT NULL, in every primary key and unique index, in both sides of every foreign key between distributed tables)
 * or a reference table, and db/citus/distribute.sql names every table once with a kind its keys allow. Read from
 * the live catalog, so a later migration that breaks the rule fails here.
 */
class CitusReadySchemaIT {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void migrate() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    @Test
    void theDistributionPlanNamesEveryTableOnceAndItsKeysAllowIt() throws Exception {
        Map<String, String> plan = CitusPlan.tables();
        Set<String> tables = strings("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND c.relname <> 'flyway_schema_history'""");
        assertEquals(tables, new TreeSet<>(plan.keySet()), "tables of the schema vs db/citus/distribute.sql");

        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> table : plan.entrySet()) {
            String name = table.getKey();
            if (table.getValue().equals(CitusPlan.REFERENCE)) {
                for (String fk : strings(foreignKeys(name))) {
                    if (!CitusPlan.REFERENCE.equals(plan.get(fk.substring(0, fk.indexOf(' '))))) {
                        problems.add(name + ": a reference table's foreign key to a distributed table: " + fk);
                    }
                }
                continue;
            }
            if (!table.getValue().equals("app_id")) {
                problems.add(name + ": distributed by " + table.getValue() + ", not app_id");
                continue;
            }
            if (strings("SELECT 1 FROM pg_attribute WHERE attrelid = '" + name + "'::regclass AND attname = 'app_id' AND attnotnull").isEmpty()) {
                problems.add(name + ": app_id missing or nullable");
            }
            for (String index : strings("""
                    SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
                    WHERE i.indrelid = '%s'::regclass AND i.indisunique
                      AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey) k
                                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k WHERE a.attname = 'app_id')"""
                    .formatted(name))) {
                problems.add(name + ": a unique index without app_id: " + index);
            }
            for (String fk : strings(foreignKeys(name))) {
                String target = fk.substring(0, fk.indexOf(' '));
                if (!CitusPlan.REFERENCE.equals(plan.get(target)) && !fk.matches("\\S+ FOREIGN KEY \\(app_id, .*REFERENCES \\w+\\(app_id, .*")) {
                    problems.add(name + ": a foreign key between distributed tables not led by app_id: " + fk);
                }
            }
        }
        // one colocation group: every distributed table joins events' shards, so joins on app_id stay on one node
        CitusPlan.plan().forEach((name, table) -> {
            if (!table.reference() && !name.equals("events") && !table.colocateWith().equals("events")) {
                problems.add(name + ": not colocated with events (colocate_with '" + table.colocateWith() + "')");
            }
        });
        assertEquals(List.of(), problems);
        assertTrue(plan.containsValue("app_id") && plan.containsValue(CitusPlan.REFERENCE));
    }

    private static String foreignKeys(String table) {
        return "SELECT confrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '"
                + table + "'::regclass AND contype = 'f'";
    }

    private static Set<String> strings(String sql) throws SQLException {
        Set<String> values = new TreeSet<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
