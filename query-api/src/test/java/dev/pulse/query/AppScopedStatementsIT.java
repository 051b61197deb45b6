package dev.pulse.query;

import dev.pulse.schema.testing.CitusPlan;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Metric;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every statement query-api sends for every endpoint, metric, dimension and filter kind reads each distributed table
 * (db/citus/distribute.sql) of one app only — the rule that lets Citus route it to one shard group (issue 19). The
 * statements are taken from PostgreSQL itself (pg_stat_statements), not from the code. Each reference to a
 * distributed table in FROM or JOIN must be matched by an app_id condition (app_id = $n, app_id = ANY ($n), a join
 * on or USING app_id): a reference more than conditions fails. Not seen: statements inside SQL functions
 * (day_quality, behind /v1/quality; pg_stat_statements tracks top-level statements), and comma joins.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class AppScopedStatementsIT {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final LocalDate FIRST = LocalDate.of(2026, 5, 1);
    private static final String RANGE = "[\"2026-05-01\",\"2026-05-05\"]";
    /** app_id equal to a bound value, to another table's app_id, or a join USING app_id; not a subquery or a list. */
    private static final Pattern APP_CONDITION = Pattern.compile(
            "\\bapp_id\\s*=\\s*(ANY\\s*\\(\\s*)?\\$\\d+|\\.app_id\\s*=\\s*\\w+\\.app_id\\b|USING\\s*\\(\\s*app_id\\b", Pattern.CASE_INSENSITIVE);

    private static String app;
    private static String token;

    @BeforeAll
    static void load() {
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        new QueryFixture(app, ZONE, FIRST, 5, 11);
        TestData.execute(PulseInfrastructure.current().dataSource(), "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }

    @Test
    void everyStatementReadsOneAppOfEachDistributedTable() throws Exception {
        TestData.execute(PulseInfrastructure.current().dataSource(), "SELECT pg_stat_statements_reset()");
        int answered = 0;
        for (Metric metric : Metric.values()) {
            answered += query("\"metrics\":[\"" + metric.apiName() + "\"]");
            for (Dimension dimension : Dimension.values()) {
                answered += query("\"metrics\":[\"" + metric.apiName() + "\"],\"dimensions\":[\"" + dimension.apiName() + "\"]");
            }
        }
        answered += query("\"metrics\":[\"events\",\"active_users\",\"sessions\"],\"filters\":[[\"is\",\"device\",[\"mobile\"]],"
                + "[\"is\",\"event:name\",[\"feed.view\"]],[\"is\",\"user:country\",[\"DE\"]],[\"is_not\",\"post:id\",[\"1\"]],"
                + "[\"is\",\"user:cohort_week\",[\"2026-04-27\"]]]");
        assertTrue(answered > Metric.values().length * Dimension.values().length / 2, "most combinations answered: " + answered);
        for (String period : List.of("day", "week")) {
            get("/v1/retention?app=" + app + "&from=2026-05-01&to=2026-05-05&period=" + period);
        }
        get("/v1/retention?app=" + app + "&from=2026-05-01&to=2026-05-05&breakdown=user:country");
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"signup\"},{\"event\":\"feed.view\",\"filters\":[[\"is\",\"device\",[\"mobile\"]]]},"
                        + "{\"event\":\"purchase\"}],\"window\":\"7d\",\"date_range\":" + RANGE + ",\"breakdown\":\"user:country\"}")
                .when().post("/v1/funnel").then().statusCode(200);
        get("/v1/users/u1?app=" + app);
        get("/v1/posts/1?app=" + app + "&from=2026-05-01&to=2026-05-05");
        get("/v1/content/c1?app=" + app + "&from=2026-05-01&to=2026-05-05");
        get("/v1/hosts/example.com/activity?app=" + app + "&month=2026-05");
        get("/v1/quality?app=" + app + "&date=2026-05-02");

        Set<String> distributed = CitusPlan.tables().entrySet().stream()
                .filter(t -> !t.getValue().equals(CitusPlan.REFERENCE)).map(Map.Entry::getKey).collect(java.util.stream.Collectors.toSet());
        Pattern reference = Pattern.compile("\\b(FROM|JOIN)\\s+(public\\.)?\"?(" + String.join("|", distributed) + ")\\b", Pattern.CASE_INSENSITIVE);
        List<String> statements = statements();
        Files.writeString(Path.of("target/query-api-statements.sql"), String.join("\n;\n", statements));
        List<String> unscoped = new ArrayList<>();
        int reading = 0;
        for (String sql : statements) {
            int references = count(reference.matcher(sql));
            reading += references > 0 ? 1 : 0;
            if (references > count(APP_CONDITION.matcher(sql))) {
                unscoped.add(sql);
            }
        }
        assertTrue(reading >= 20, "statements reading distributed tables were recorded: " + reading + " (target/query-api-statements.sql)");
        assertEquals(List.of(), unscoped, "statements reading a distributed table without an app_id condition per reference");
    }

    private static int query(String rest) {
        int status = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"date_range\":" + RANGE + "," + rest + "}")
                .when().post("/v1/query").then().extract().statusCode();
        assertTrue(status == 200 || status == 400, rest + " answered " + status);
        return status == 200 ? 1 : 0;
    }

    private static void get(String path) {
        int status = given().header("Authorization", "Bearer " + token).when().get(path).then().extract().statusCode();
        assertTrue(status == 200 || status == 404, path + " answered " + status);
    }

    private static int count(Matcher matcher) {
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    /** What the application's connections ran since the reset: the test's own catalog reads excluded. */
    private static List<String> statements() throws SQLException, IOException {
        List<String> statements = new ArrayList<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("""
                     SELECT query FROM pg_stat_statements
                     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND query NOT LIKE '%pg_stat_statements%' ORDER BY query""")) {
            while (rows.next()) {
                statements.add(rows.getString(1));
            }
        }
        return statements;
    }
}
