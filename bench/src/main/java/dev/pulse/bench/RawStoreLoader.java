package dev.pulse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.bench.generator.GeneratorConfig;
import dev.pulse.bench.generator.TrafficModel;
import dev.pulse.contract.EventCatalog;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a history straight into the raw store by COPY, for the benchmarks of the queries that read only the raw
 * store and the funnels' state (funnels, sessions): the pipeline takes 90 minutes and more for 10M events on the
 * 2-core box (issue 15), COPY a few. The events are the traffic model's, stamped over the last 29 days, in the
 * columns enrich-service fills (category, the user's traits on every event, device, OS and browser from the
 * user agent); the funnels' state, the per-user daily rollups (sessions included) and the posts' and connections'
 * daily facts are then built from them by migrations V25's, V26's and V39's functions: what the funnels and the
 * dashboard's series, breakdowns and retention read. The other facts (the post and content reports', realtime's
 * counters) are not built.
 */
final class RawStoreLoader {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String COLUMNS = "app_id, event_date, event_id, event_ts, received_at, event, category, user_id, session_id,"
            + " post_id, receiver_id, content_id, action, duration_ms, revenue, currency, gender, age, user_os, source, country, city,"
            + " exp_group, device, os, browser, host, url, properties";
    /** Device, OS and browser of each of the model's user agents, as the user-agent parser reads them. */
    private static final String[][] AGENTS = {{"mobile", "Android", "Chrome"}, {"mobile", "iOS", "Safari"}, {"desktop", "Windows", "Chrome"},
        {"tablet", "iOS", "Safari"}};

    private RawStoreLoader() {
    }

    /** @return the events written */
    static long load(Connection db, String app, long events) throws Exception {
        TrafficModel model = new TrafficModel(new GeneratorConfig(20_261_202, 10_000, 0, 0, 100, 0, 0, 0, 0));
        Map<String, Map<String, Object>> traits = new HashMap<>();
        Instant now = Instant.now();
        CopyIn copy = ((PGConnection) db.unwrap(PGConnection.class)).getCopyAPI()
                .copyIn("COPY events (" + COLUMNS + ") FROM STDIN");
        long written = 0;
        StringBuilder rows = new StringBuilder(1 << 20);
        while (written < events) {
            Instant at = now.minusSeconds(ThreadLocalRandom.current().nextLong(29L * 86_400));
            for (Map<String, Object> e : model.batch((int) Math.min(100, events - written), at)) {
                row(rows, app, e, traits, now);
                written++;
            }
            if (rows.length() > (1 << 20) - 4096) {
                byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(bytes, 0, bytes.length);
                rows.setLength(0);
            }
        }
        byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        copy.endCopy();
        return written;
    }

    /**
     * The app's funnel state, per-user daily rollups (sessions included) and posts' and connections' daily facts from its
     * raw events, by migrations V25's, V26's and V39's functions, and its users' first days; then fresh planner statistics.
     */
    static void buildState(Connection db, String app) throws SQLException {
        try (PreparedStatement state = db.prepareStatement("SELECT user_event_times_rebuild(?)");
             PreparedStatement rollup = db.prepareStatement("SELECT fact_user_daily_rebuild(?)");
             PreparedStatement facts = db.prepareStatement("SELECT post_and_connection_facts_rebuild(?)");
             PreparedStatement firstSeen = db.prepareStatement("""
                     INSERT INTO user_first_seen (app_id, user_id, first_date, first_ts, first_feed_date, first_messenger_date)
                     SELECT app_id, user_id, min(event_date), min(event_ts), min(event_date) FILTER (WHERE event IN ('feed.view', 'feed.like')),
                            min(event_date) FILTER (WHERE event = 'message.sent')
                     FROM events WHERE app_id = ? GROUP BY 1, 2 ON CONFLICT DO NOTHING""");
             Statement analyze = db.createStatement()) {
            state.setString(1, app);
            state.execute();
            rollup.setString(1, app);
            rollup.execute();
            facts.setString(1, app);
            facts.execute();
            // the users' first days, as aggregate keeps them: new users, retention cohorts and the day state read them
            firstSeen.setString(1, app);
            firstSeen.execute();
            analyze.execute("ANALYZE events");
            analyze.execute("ANALYZE user_event_times");
            analyze.execute("ANALYZE fact_user_daily");
            analyze.execute("ANALYZE fact_user_event_daily");
            analyze.execute("ANALYZE fact_daily_posts");
            analyze.execute("ANALYZE fact_user_connections");
        }
    }

    @SuppressWarnings("unchecked")
    private static void row(StringBuilder out, String app, Map<String, Object> e, Map<String, Map<String, Object>> traits, Instant now)
            throws Exception {
        String user = String.valueOf(e.get("user_id"));
        if (e.containsKey("user")) {
            traits.put(user, (Map<String, Object>) e.get("user"));
        }
        Map<String, Object> t = traits.getOrDefault(user, Map.of());
        Map<String, Object> p = (Map<String, Object>) e.getOrDefault("properties", Map.of());
        Map<String, Object> context = (Map<String, Object>) e.get("context");
        String event = (String) e.get("event");
        Instant ts = Instant.parse((String) e.get("timestamp"));
        String[] agent = AGENTS[Math.floorMod(Integer.parseInt(user), AGENTS.length)];
        List<Object> values = new ArrayList<>(List.of(app, ts.atZone(ZoneOffset.UTC).toLocalDate(), UUID.fromString((String) e.get("event_id")),
                ts, now, event, EventCatalog.category(event).value(), user));
        values.add(e.get("session_id"));
        values.add(p.get("post_id"));
        values.add(p.get("receiver_id"));
        values.add(p.get("content_id"));
        values.add(p.get("action"));
        values.add(p.get("duration_ms"));
        values.add(p.get("revenue"));
        values.add(p.get("currency"));
        for (String trait : List.of("gender", "age", "os", "source", "country", "city", "exp_group")) {
            values.add(t.get(trait));
        }
        values.add(agent[0]);
        values.add(agent[1]);
        values.add(agent[2]);
        values.add(context.get("host"));
        values.add(context.get("url"));
        values.add(p.isEmpty() ? null : MAPPER.writeValueAsString(p));
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            out.append(i == 0 ? "" : "\t").append(v == null ? "\\N" : v.toString().replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n"));
        }
        out.append('\n');
    }
}
