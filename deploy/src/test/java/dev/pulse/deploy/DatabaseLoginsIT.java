package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database logins of the prod overlay, on a real PostgreSQL: the owner and the roles CloudNativePG would
 * make (read from the rendered Cluster's managed roles), the real migrations run by the owner, then what each
 * login may do. The expected privileges are the README's table (table -> writer -> readers), written out here
 * independently of the grants in afterMigrate.sql.
 */
class DatabaseLoginsIT {
    private static final String OWNER = "pulse";
    private static final List<String> PRIVILEGES = List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER");
    /** login -> table -> privileges; a reader (READ_ALL) has SELECT on every table besides. */
    private static final Map<String, Map<String, Set<String>>> WRITES = Map.of(
            // ingest also reads the erasure progress enrich and aggregate record, for the erasure status endpoint
            "pulse_ingest", Map.of("apps", Set.of("SELECT", "INSERT", "UPDATE"), "erasure_requests", Set.of("SELECT", "INSERT"),
                    "enrich_erasures", Set.of("SELECT"), "aggregate_erasures", Set.of("SELECT")),
            "pulse_enrich", Map.of("dim_users", Set.of("INSERT", "UPDATE", "DELETE"), "dim_content", Set.of("INSERT", "UPDATE"),
                    "enrich_dedup", Set.of("INSERT", "DELETE"), "enrich_erasures", Set.of("INSERT", "UPDATE")),
            "pulse_aggregate", aggregateWrites(),
            "pulse_query", Map.of());
    private static final Set<String> READ_ALL = Set.of("pulse_enrich", "pulse_aggregate", "pulse_query");

    private static EmbeddedPostgres postgres;
    private static Map<String, List<String>> roles;

    private static Map<String, Set<String>> aggregateWrites() {
        Map<String, Set<String>> writes = new TreeMap<>();
        // UPDATE, DELETE: erasure (a pseudonym where others' messages name the erased user) and per-app retention
        writes.put("events", Set.of("INSERT", "UPDATE", "DELETE"));
        writes.put("aggregate_erasures", Set.of("INSERT", "UPDATE"));
        // DELETE: rejections past retention (PartitionMaintenanceJob)
        writes.put("invalid_events", Set.of("INSERT", "DELETE"));
        writes.put("duplicate_events", Set.of("INSERT", "DELETE"));
        // DELETE: a day's reset, an erasure, the app's retention
        writes.put("content_daily_players", Set.of("INSERT", "DELETE"));
        for (String table : List.of("fact_daily_feed", "feed_user_posts", "fact_daily_posts", "post_daily_users", "fact_daily_messenger",
                "fact_user_connections", "fact_content_engagement_daily", "fact_user_daily", "fact_user_event_daily", "host_daily_visitors",
                "user_event_times", "user_day_session_ends")) {
            writes.put(table, Set.of("INSERT", "UPDATE", "DELETE"));
        }
        // DELETE: an erased user's ordinal; a day's state replaced by its rebuild
        writes.put("user_ordinals", Set.of("INSERT", "DELETE"));
        writes.put("user_ordinal_counters", Set.of("INSERT", "UPDATE"));
        writes.put("day_state", Set.of("INSERT", "UPDATE", "DELETE"));
        writes.put("day_values", Set.of("INSERT", "DELETE"));
        // the days not over yet: a batch adds rows, the job merges them and drops a day once it is over
        writes.put("open_day_state", Set.of("INSERT", "UPDATE", "DELETE"));
        writes.put("day_value_deltas", Set.of("INSERT", "DELETE"));
        // DELETE: what an erasure or the app's retention removes
        for (String table : List.of("user_first_seen", "user_devices_cumulated", "hosts_cumulated", "host_activity_reduced", "quality_daily")) {
            writes.put(table, Set.of("INSERT", "UPDATE", "DELETE"));
        }
        // app_sessions: the timeout of each app's kept sessions, set by their rebuild
        for (String table : List.of("quality_snapshot_daily", "closed_day_versions", "closed_day_changes", "app_sessions")) {
            writes.put(table, Set.of("INSERT", "UPDATE"));
        }
        return writes;
    }

    @BeforeAll
    static void migrate() throws Exception {
        JsonNode cluster = Manifests.render("prod").stream().filter(o -> o.path("kind").asText().equals("Cluster")).findFirst().orElseThrow();
        assertEquals(OWNER, cluster.at("/spec/bootstrap/initdb/owner").asText());
        roles = new TreeMap<>();
        cluster.at("/spec/managed/roles").forEach(r -> {
            List<String> in = new ArrayList<>();
            r.path("inRoles").forEach(x -> in.add(x.asText()));
            roles.put(r.path("name").asText(), in);
        });
        assertEquals(WRITES.keySet(), roles.keySet(), "the logins of the Cluster");
        postgres = EmbeddedPostgres.builder().start();
        try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement s = admin.createStatement()) {
            // as CloudNativePG's initdb: the owner is an ordinary login owning the database
            s.execute("CREATE ROLE " + OWNER + " LOGIN PASSWORD 'owner'");
            s.execute("CREATE DATABASE pulse OWNER " + OWNER);
            // the ingest login comes later, as a role CloudNativePG adds after the first migration would
            for (Map.Entry<String, List<String>> role : roles.entrySet()) {
                if (!role.getKey().equals("pulse_ingest")) {
                    create(s, role.getKey(), role.getValue());
                }
            }
        }
        // where the logins are required (the migrate Job's QUARKUS_FLYWAY_INIT_SQL), a missing one fails the migrate
        FlywayException missing = assertThrows(FlywayException.class, () -> flyway(migrateJobInitSql()).migrate());
        assertTrue(missing.getMessage().contains("database login pulse_ingest does not exist yet"), missing.getMessage());
        // elsewhere the grants skip a login that does not exist (yet)
        flyway().migrate();
        try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement s = admin.createStatement()) {
            create(s, "pulse_ingest", roles.get("pulse_ingest"));
        }
        try (Connection c = connect(OWNER); Statement s = c.createStatement()) {
            assertEquals(false, privileged(s, "pulse_ingest", "apps", "INSERT"), "a new login has no grant");
        }
        // the next migrate Job grants what the new login needs: the grants run after every migrate
        flyway(migrateJobInitSql()).migrate();
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pulse_ingest", "pulse_enrich", "pulse_aggregate", "pulse_query"})
    void eachLoginHasExactlyThePrivilegesOfItsTables(String login) throws SQLException {
        Map<String, Set<String>> expected = new TreeMap<>();
        Map<String, Set<String>> actual = new TreeMap<>();
        try (Connection c = connect(OWNER); Statement s = c.createStatement()) {
            for (String table : tables(s)) {
                Set<String> want = new TreeSet<>(WRITES.get(login).getOrDefault(table, Set.of()));
                if (READ_ALL.contains(login)) {
                    want.add("SELECT");
                }
                Set<String> have = new TreeSet<>();
                for (String privilege : PRIVILEGES) {
                    if (privileged(s, login, table, privilege)) {
                        have.add(privilege);
                    }
                }
                expected.put(table, want);
                actual.put(table, have);
            }
            assertTrue(actual.keySet().containsAll(WRITES.get(login).keySet()), "tables of " + login + " exist: " + actual.keySet());
            assertEquals(false, schemaCreate(s, login), login + " may create in schema public");
        }
        assertEquals(expected, actual, "privileges of " + login + " per table");
    }

    /**
     * What each service's own SQL does (its sources read as text: INSERT INTO, UPDATE … SET, DELETE FROM, an
     * upsert's DO UPDATE, FROM/JOIN of a table, a call of a schema function) is allowed to its login on the migrated
     * database. Statements whose table is not a literal (a day's reset over a list of tables) are left to the README
     * table above.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ingest-service=pulse_ingest", "enrich-service=pulse_enrich", "aggregate-service=pulse_aggregate",
            "query-api=pulse_query"})
    void everyStatementOfAServiceIsAllowedToItsLogin(String serviceAndLogin) throws Exception {
        String service = serviceAndLogin.substring(0, serviceAndLogin.indexOf('='));
        String login = serviceAndLogin.substring(service.length() + 1);
        Set<String> missing = new TreeSet<>();
        int checked = 0;
        try (Connection c = connect(OWNER); Statement s = c.createStatement()) {
            Set<String> tables = tables(s);
            Set<String> functions = new TreeSet<>();
            try (ResultSet rs = s.executeQuery("SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'")) {
                while (rs.next()) {
                    functions.add(rs.getString(1));
                }
            }
            for (String use : ServiceSources.sqlUses(Manifests.ROOT.resolve(service).resolve("src/main/java"))) {
                String[] kind = use.split(" ", 2);
                boolean allowed;
                if (kind[0].equals("EXECUTE")) {
                    if (!functions.contains(kind[1])) {
                        continue;
                    }
                    allowed = (Boolean) single(s, "SELECT bool_and(has_function_privilege('" + login + "', p.oid, 'EXECUTE')) FROM pg_proc p "
                            + "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname = '" + kind[1] + "'");
                } else {
                    if (!tables.contains(kind[1])) {
                        continue;
                    }
                    allowed = privileged(s, login, kind[1], kind[0]);
                }
                checked++;
                if (!allowed) {
                    missing.add(use);
                }
            }
        }
        assertTrue(checked > 0, "no statement of " + service + " found");
        assertEquals(Set.of(), missing, "what " + service + "'s SQL does and its login " + login + " may not");
    }

    @Test
    void everyTableHasADecidedWriter() throws SQLException {
        Set<String> decided = new TreeSet<>();
        WRITES.values().forEach(w -> decided.addAll(w.keySet()));
        // written by migrations only (reference data) or by no one any more
        decided.add("dim_dates");
        try (Connection c = connect(OWNER); Statement s = c.createStatement()) {
            assertEquals(tables(s), decided, "a table without a decided writer: add it to afterMigrate.sql, the README and here");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pulse_ingest", "pulse_enrich", "pulse_aggregate", "pulse_query"})
    void noLoginButTheOwnerRunsDdl(String login) throws SQLException {
        try (Connection c = connect(login); Statement s = c.createStatement()) {
            assertDenied(() -> s.execute("CREATE TABLE intruder (i int)"));
            assertDenied(() -> s.execute("ALTER TABLE apps ADD COLUMN intruder int"));
            assertDenied(() -> s.execute("DROP TABLE enrich_dedup"));
            assertDenied(() -> s.execute("TRUNCATE events"));
        }
    }

    @Test
    void readsAndWritesBeyondTheGrantsAreRefused() throws SQLException {
        try (Connection c = connect("pulse_query"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT count(*) FROM events").close();
            assertDenied(() -> s.execute("DELETE FROM apps"));
            // no reader sees the logins' password hashes (pg_read_all_data would: it reads the catalogs too)
            assertDenied(() -> s.executeQuery("SELECT rolpassword FROM pg_authid"));
        }
        for (String reader : READ_ALL) {
            try (Connection c = connect(reader); Statement s = c.createStatement()) {
                assertDenied(() -> s.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + OWNER + "'"));
            }
        }
        try (Connection c = connect("pulse_ingest"); Statement s = c.createStatement()) {
            assertDenied(() -> s.executeQuery("SELECT count(*) FROM events"));
            assertDenied(() -> s.execute("DELETE FROM fact_user_daily"));
            assertDenied(() -> s.executeQuery("SELECT create_events_partition(DATE '2031-01-02')"));
        }
        try (Connection c = connect("pulse_enrich"); Statement s = c.createStatement()) {
            assertDenied(() -> s.execute("DELETE FROM events"));
            assertDenied(() -> s.execute("UPDATE apps SET app_id = app_id"));
        }
    }

    @Test
    void aggregateMakesAndDropsRawStorePartitionsOnlyThroughTheOwnersFunctions() throws SQLException {
        try (Connection c = connect("pulse_aggregate"); Statement s = c.createStatement()) {
            assertEquals(true, single(s, "SELECT create_events_partition(DATE '2031-01-02')"));
            assertEquals(false, single(s, "SELECT create_events_partition(DATE '2031-01-02')"), "made once");
            assertEquals(OWNER, single(s, "SELECT tableowner FROM pg_tables WHERE tablename = 'events_p20310102'"));
            assertDenied(() -> s.execute("DROP TABLE events_p20310102"));
            assertEquals("events_p20310102", single(s, "SELECT drop_events_partitions_before(DATE '2031-01-03')"));
            assertEquals(0L, single(s, "SELECT count(*) FROM pg_tables WHERE tablename = 'events_p20310102'"));
        }
    }

    private interface Sql {
        void run() throws SQLException;
    }

    private static void assertDenied(Sql sql) {
        SQLException e = assertThrows(SQLException.class, sql::run);
        assertTrue(e.getSQLState().equals("42501"), "insufficient privilege expected, got " + e.getSQLState() + ": " + e.getMessage());
    }

    private static void create(Statement s, String role, List<String> inRoles) throws SQLException {
        s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'x'" + (inRoles.isEmpty() ? "" : " IN ROLE " + String.join(", ", inRoles)));
    }

    private static Flyway flyway() {
        return flyway(null);
    }

    private static Flyway flyway(String initSql) {
        return Flyway.configure().dataSource(postgres.getJdbcUrl(OWNER, "pulse"), OWNER, "owner").locations("classpath:db/migration")
                .initSql(initSql).load();
    }

    /** What the rendered migrate Job has Flyway run on each of its connections. */
    private static String migrateJobInitSql() throws Exception {
        JsonNode job = Manifests.render("prod").stream().filter(o -> o.path("kind").asText().equals("Job")).findFirst().orElseThrow();
        for (JsonNode env : job.at("/spec/template/spec/containers/0/env")) {
            if (env.path("name").asText().equals("QUARKUS_FLYWAY_INIT_SQL")) {
                return env.path("value").asText();
            }
        }
        throw new AssertionError("the migrate Job sets no QUARKUS_FLYWAY_INIT_SQL");
    }

    private static Connection connect(String login) throws SQLException {
        return DriverManager.getConnection(postgres.getJdbcUrl(login, "pulse"), login, "x");
    }

    /** The tables of the schema, partitions and Flyway's history aside. */
    private static Set<String> tables(Statement s) throws SQLException {
        Set<String> tables = new TreeSet<>();
        try (ResultSet rs = s.executeQuery("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'flyway_schema_history'""")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    private static boolean privileged(Statement s, String login, String table, String privilege) throws SQLException {
        return (Boolean) single(s, "SELECT has_table_privilege('" + login + "', '" + table + "', '" + privilege + "')");
    }

    private static boolean schemaCreate(Statement s, String login) throws SQLException {
        return (Boolean) single(s, "SELECT has_schema_privilege('" + login + "', 'public', 'CREATE')");
    }

    private static Object single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getObject(1);
        }
    }
}
