package dev.pulse.aggregate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pulse.aggregate.service.DailyCloseJob;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.schema.EventTimes;
import dev.pulse.schema.RedisKeys;
import dev.pulse.contract.Topics;
import dev.pulse.contract.UserTraits;
import dev.pulse.contract.testing.FactTables;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Facts against an independent computation over the generated events, with replays mixed in. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class AggregationIT {
    static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final String[] DEVICES = {"mobile", "desktop", null};

    @Inject
    RedisDataSource redis;

    @Inject
    DailyCloseJob dailyClose;

    private static PulseInfrastructure infra() {
        return PulseInfrastructure.current();
    }

    static EnrichedEvent event(String app, Random random, Instant ts, String user) {
        String name = switch (random.nextInt(5)) {
            case 0 -> "feed.view";
            case 1 -> "feed.like";
            case 2 -> "message.sent";
            case 3 -> "content.engagement";
            default -> "page_view";
        };
        LocalDate date = ts.atZone(ZoneOffset.UTC).toLocalDate();
        boolean feed = name.startsWith("feed.");
        boolean content = name.equals("content.engagement");
        boolean page = name.equals("page_view");
        Long duration = content ? (long) random.nextInt(100_000) : null;
        return new EnrichedEvent(app, UUID.randomUUID(), name, "engagement", user, ts, date, ts, false, false, null, null,
                feed ? (long) random.nextInt(5) : null,
                name.equals("message.sent") ? "u" + random.nextInt(8) : null,
                content ? "c" + random.nextInt(3) : null,
                content ? (random.nextBoolean() ? "play" : "pause") : null,
                duration, null, null, new UserTraits(random.nextInt(2), 30, null, null, "DE", null, null),
                DEVICES[random.nextInt(3)], null, null, page ? "h" + random.nextInt(2) + ".example" : null,
                page ? "/" : null, null, null, null, content ? 100 : null,
                duration == null ? null : duration / 1000.0,
                duration == null ? null : new BigDecimal(duration / 1000.0 / 100).setScale(2, java.math.RoundingMode.HALF_UP).doubleValue());
    }

    @Test
    void theWidestValuesEnrichAcceptsFitTheRollupsKeys() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        // three UTF-8 bytes per character, random so that they do not compress, at the validator's lengths: ~3 KB of
        // key, over the 2,704 bytes a btree entry may have
        Random random = new Random(11);
        java.util.function.IntFunction<String> cjk = n -> random.ints(n, 0x4E00, 0x9FFF)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        String id = cjk.apply(128);
        Instant ts = Instant.now().minusSeconds(60);
        EnrichedEvent wide = new EnrichedEvent(app, UUID.randomUUID(), "page_view", "engagement", id, ts, ts.atZone(ZoneOffset.UTC).toLocalDate(),
                ts, false, false, null, null, null, null, null, null, null, null, null,
                new UserTraits(1, 30, cjk.apply(128), cjk.apply(128), cjk.apply(128), id, 7),
                "desktop", null, null, cjk.apply(253), "/", null, null, null, null, null, null);
        TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, id), MAPPER.writeValueAsString(wide));
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT coalesce(sum(events), 0) FROM fact_user_event_daily WHERE app_id = '"
                + app + "' AND user_id = '" + id + "' AND host = '" + wide.host() + "'") == 1);
        assertEquals(1L, queryLong("SELECT sum(page_views) FROM fact_user_daily WHERE app_id = '" + app + "' AND city = '" + id + "'"));
        assertEquals(0L, queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'"), "nothing quarantined");
    }

    @Test
    void factsEqualAnIndependentComputationDespiteReplays() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        Random random = new Random(42);
        Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2));
        List<EnrichedEvent> events = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            events.add(event(app, random, start.plusSeconds(random.nextInt(3 * 86_400 - 1)), "u" + random.nextInt(8)));
        }
        Map<String, List<String>> byUser = new TreeMap<>();
        for (EnrichedEvent e : events) {
            byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(MAPPER.writeValueAsString(e));
        }
        for (Map.Entry<String, List<String>> user : byUser.entrySet()) {
            List<String> values = new ArrayList<>(user.getValue());
            values.addAll(user.getValue().subList(0, 10)); // replays: as if enrich had emitted them again
            TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, user.getKey()), values.toArray(String[]::new));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") == events.size());
        await().atMost(Duration.ofSeconds(10)).until(() -> queryLong("SELECT coalesce(sum(accepted), 0) FROM quality_daily WHERE app_id = '" + app + "'") == events.size());

        // the sessions kept on fact_user_daily: the rows of each session's first event
        try (Connection c = infra().dataSource().getConnection()) {
            assertEquals(KeptSessions.of(events, 1800), KeptSessions.kept(c, app));
        }

        // fact_daily_feed: views and likes per user-day
        Map<String, Long> views = count(events, e -> e.event().equals("feed.view"), e -> e.eventDate() + "|" + e.userId());
        Map<String, Long> likes = count(events, e -> e.event().equals("feed.like"), e -> e.eventDate() + "|" + e.userId());
        assertEquals(views, rows("SELECT event_date || '|' || user_id, views FROM fact_daily_feed WHERE views > 0 AND app_id = '" + app + "'"));
        assertEquals(likes, rows("SELECT event_date || '|' || user_id, likes FROM fact_daily_feed WHERE likes > 0 AND app_id = '" + app + "'"));

        // the rest of fact_daily_feed, kept incrementally: equal to its definition over the raw store
        assertEquals(0L, queryLong("""
                WITH per_post AS (
                    SELECT app_id, event_date, user_id, post_id,
                           min(event_ts) FILTER (WHERE event = 'feed.view') AS first_view, max(event_ts) FILTER (WHERE event = 'feed.view') AS last_view,
                           min(event_ts) FILTER (WHERE event = 'feed.like') AS first_like, max(event_ts) FILTER (WHERE event = 'feed.like') AS last_like,
                           count(*) FILTER (WHERE event = 'feed.view') AS views, count(*) FILTER (WHERE event = 'feed.like') AS likes
                    FROM events WHERE app_id = '%s' AND event IN ('feed.view', 'feed.like') GROUP BY 1, 2, 3, 4),
                expected AS (
                    SELECT app_id, event_date, user_id, min(first_view) AS first_view, max(last_view) AS last_view,
                           min(first_like) AS first_like, max(last_like) AS last_like, count(*) AS posts,
                           CASE WHEN sum(views) > 1 THEN extract(epoch FROM max(last_view) - min(first_view)) / (sum(views) - 1) END AS between_views,
                           CASE WHEN sum(likes) > 1 THEN extract(epoch FROM max(last_like) - min(first_like)) / (sum(likes) - 1) END AS between_likes,
                           avg(extract(epoch FROM first_like - first_view)) FILTER (WHERE first_like >= first_view) AS view_to_like
                    FROM per_post GROUP BY 1, 2, 3)
                SELECT count(*) FROM expected x FULL JOIN (SELECT * FROM fact_daily_feed WHERE app_id = '%s') f USING (app_id, event_date, user_id)
                WHERE f.first_view_ts IS DISTINCT FROM x.first_view OR f.last_view_ts IS DISTINCT FROM x.last_view
                   OR f.first_like_ts IS DISTINCT FROM x.first_like OR f.last_like_ts IS DISTINCT FROM x.last_like
                   OR f.posts IS DISTINCT FROM x.posts::int OR f.avg_time_between_views IS DISTINCT FROM x.between_views
                   OR f.avg_time_between_likes IS DISTINCT FROM x.between_likes OR f.avg_view_to_like_seconds IS DISTINCT FROM x.view_to_like"""
                .formatted(app, app)), "fact_daily_feed rows that differ from the raw store's");

        // user_first_seen's first days within feed and messenger, kept with least(): equal to the raw store's
        assertEquals(0L, queryLong("""
                SELECT count(*) FROM (SELECT * FROM user_first_seen WHERE app_id = '%s') f
                FULL JOIN (SELECT user_id, min(event_date) FILTER (WHERE event IN ('feed.view', 'feed.like')) AS feed,
                                  min(event_date) FILTER (WHERE event = 'message.sent') AS messenger
                           FROM events WHERE app_id = '%s' GROUP BY 1) x USING (user_id)
                WHERE f.first_feed_date IS DISTINCT FROM x.feed OR f.first_messenger_date IS DISTINCT FROM x.messenger""".formatted(app, app)),
                "first feed and messenger days that differ from the raw store's");

        // fact_user_daily rollup: events and views per user-day
        assertEquals(count(events, e -> true, e -> e.eventDate() + "|" + e.userId()),
                rows("SELECT event_date || '|' || user_id, sum(events) FROM fact_user_daily WHERE app_id = '" + app + "' GROUP BY 1"));
        assertEquals(views, rows("SELECT event_date || '|' || user_id, sum(views) FROM fact_user_daily WHERE app_id = '" + app + "' GROUP BY 1 HAVING sum(views) > 0"));
        // fact_user_event_daily: events, plays and engagement per user-day, gender, event-side values and receiver
        java.util.function.Function<EnrichedEvent, String> eventSide = e -> e.eventDate() + "|" + e.userId() + "|"
                + (e.user() == null ? null : e.user().gender()) + "|"
                + e.event() + "|" + e.category() + "|" + e.device() + "|" + e.host() + "|" + e.contentType() + "|" + e.postId() + "|" + e.contentId()
                + "|" + e.receiverId();
        String sideKey = "concat_ws('|', event_date, user_id, coalesce(gender::text, 'null'), event, category, coalesce(device, 'null'), coalesce(host, 'null'),"
                + " coalesce(content_type, 'null'), coalesce(post_id::text, 'null'), coalesce(content_id, 'null'), coalesce(receiver_id, 'null'))";
        assertEquals(count(events, e -> true, eventSide),
                rows("SELECT " + sideKey + ", events FROM fact_user_event_daily WHERE app_id = '" + app + "'"));
        assertEquals(count(events, e -> "play".equals(e.action()), eventSide),
                rows("SELECT " + sideKey + ", plays FROM fact_user_event_daily WHERE plays > 0 AND app_id = '" + app + "'"));
        Map<String, Long> engagementMillis = events.stream().filter(e -> e.engagementSeconds() != null && e.engagementSeconds() > 0)
                .collect(Collectors.groupingBy(eventSide, Collectors.summingLong(e -> Math.round(e.engagementSeconds() * 1000))));
        assertEquals(engagementMillis, rows("SELECT " + sideKey + ", round(engagement_seconds * 1000) FROM fact_user_event_daily"
                + " WHERE engagement_seconds > 0 AND app_id = '" + app + "'"));
        // the SQL rebuilds (what V28's backfill and an operator run, what the benchmark's COPY load runs) make exactly the rows
        // aggregate keeps, every column
        List<String> kept = facts(app);
        execute("SELECT fact_user_daily_rebuild('" + app + "')");
        execute("SELECT post_and_connection_facts_rebuild('" + app + "')");
        assertEquals(kept, facts(app), "both rollups, the posts' and the connections' facts rebuilt from the raw store");

        // the funnels' event times: every stored event's microsecond once per user, name and week, whatever the order
        // of arrival (the users' events came in random time order) and despite the replays
        try (Connection c = infra().dataSource().getConnection()) {
            assertEquals(0L, FactTables.eventTimesDifferences(c, app), "user_event_times rows that differ from the raw store's");
        }
        assertEquals(events.stream().map(e -> e.event() + "|" + e.userId() + "|" + EventTimes.weekStart(e.eventDate())).distinct().count(),
                queryLong("SELECT count(*) FROM user_event_times WHERE app_id = '" + app + "'"), "one row per user, event name and week");

        // fact_daily_posts: unique viewers per post-day
        Map<String, Long> viewers = events.stream().filter(e -> e.event().equals("feed.view"))
                .collect(Collectors.groupingBy(e -> e.eventDate() + "|" + e.postId(),
                        Collectors.collectingAndThen(Collectors.mapping(EnrichedEvent::userId, Collectors.toSet()), s -> (long) s.size())));
        assertEquals(viewers, rows("SELECT event_date || '|' || post_id, unique_viewers FROM fact_daily_posts WHERE unique_viewers > 0 AND app_id = '" + app + "'"));
        assertEquals(count(events, e -> e.postId() != null, e -> e.eventDate() + "|" + e.postId() + "|x"),
                rows("SELECT event_date || '|' || post_id || '|x', views + likes FROM fact_daily_posts WHERE app_id = '" + app + "'"));
        // a post-day's view-to-like time, kept incrementally from feed_user_posts' changes: equal to its definition
        assertEquals(0L, queryLong("""
                WITH per_user AS (
                    SELECT app_id, event_date, post_id, user_id, min(event_ts) FILTER (WHERE event = 'feed.view') AS first_view,
                           min(event_ts) FILTER (WHERE event = 'feed.like') AS first_like
                    FROM events WHERE app_id = '%s' AND event IN ('feed.view', 'feed.like') AND post_id IS NOT NULL GROUP BY 1, 2, 3, 4),
                expected AS (
                    SELECT app_id, event_date, post_id, (sum(extract(epoch FROM first_like - first_view)) FILTER (WHERE first_like >= first_view)
                           / NULLIF(count(*) FILTER (WHERE first_like >= first_view), 0))::float8 AS view_to_like
                    FROM per_user GROUP BY 1, 2, 3)
                SELECT count(*) FROM expected x FULL JOIN (SELECT * FROM fact_daily_posts WHERE app_id = '%s') p USING (app_id, event_date, post_id)
                WHERE p.avg_view_to_like_seconds IS DISTINCT FROM x.view_to_like""".formatted(app, app)),
                "fact_daily_posts view-to-like times that differ from the raw store's");
        assertTrue(queryLong("SELECT count(*) FROM fact_daily_posts WHERE view_to_like_count > 0 AND app_id = '" + app + "'") > 0,
                "some post-days have a view followed by a like");

        // messenger: sent and received per user-day, connections per pair
        Map<String, Long> sent = count(events, e -> e.event().equals("message.sent"), e -> e.eventDate() + "|" + e.userId());
        Map<String, Long> received = count(events, e -> e.event().equals("message.sent"), e -> e.eventDate() + "|" + e.receiverId());
        assertEquals(sent, rows("SELECT event_date || '|' || user_id, messages_sent FROM fact_daily_messenger WHERE messages_sent > 0 AND app_id = '" + app + "'"));
        assertEquals(received, rows("SELECT event_date || '|' || user_id, messages_received FROM fact_daily_messenger WHERE messages_received > 0 AND app_id = '" + app + "'"));
        // messenger distinct users and times, kept incrementally: equal to their definition over the raw store
        Map<String, Long> usersSent = events.stream().filter(e -> e.event().equals("message.sent"))
                .collect(Collectors.groupingBy(e -> e.eventDate() + "|" + e.userId(),
                        Collectors.collectingAndThen(Collectors.mapping(EnrichedEvent::receiverId, Collectors.toSet()), s -> (long) s.size())));
        Map<String, Long> usersReceived = events.stream().filter(e -> e.event().equals("message.sent"))
                .collect(Collectors.groupingBy(e -> e.eventDate() + "|" + e.receiverId(),
                        Collectors.collectingAndThen(Collectors.mapping(EnrichedEvent::userId, Collectors.toSet()), s -> (long) s.size())));
        assertEquals(usersSent, rows("SELECT event_date || '|' || user_id, users_sent FROM fact_daily_messenger WHERE messages_sent > 0 AND app_id = '" + app + "'"));
        assertEquals(usersReceived, rows("SELECT event_date || '|' || user_id, users_received FROM fact_daily_messenger WHERE messages_received > 0 AND app_id = '" + app + "'"));
        for (String side : List.of("user_id|sent", "receiver_id|received")) {
            String user = side.split("\\|")[0];
            String name = side.split("\\|")[1];
            assertEquals(0L, queryLong("SELECT count(*) FROM fact_daily_messenger f JOIN (SELECT app_id, event_date, " + user + " AS user_id,"
                    + " min(event_ts) AS a, max(event_ts) AS b, count(*) AS n FROM events WHERE event = 'message.sent' AND app_id = '" + app + "'"
                    + " GROUP BY 1, 2, 3) s USING (app_id, event_date, user_id) WHERE f.first_" + name + "_ts IS DISTINCT FROM s.a"
                    + " OR f.last_" + name + "_ts IS DISTINCT FROM s.b OR f.avg_time_between_" + name
                    + " IS DISTINCT FROM CASE WHEN s.n > 1 THEN extract(epoch FROM s.b - s.a) / (s.n - 1) END"), name + " side times");
        }
        assertEquals(count(events, e -> e.event().equals("message.sent"), e -> e.eventDate() + "|" + e.userId() + ">" + e.receiverId()),
                rows("SELECT event_date || '|' || sender_id || '>' || receiver_id, messages_count FROM fact_user_connections WHERE app_id = '" + app + "'"));

        // content engagement per content-day-device
        assertEquals(count(events, e -> e.contentId() != null, e -> e.eventDate() + "|" + e.contentId() + "|" + (e.device() == null ? "unknown" : e.device())),
                rows("SELECT event_date || '|' || content_id || '|' || device, events FROM fact_content_engagement_daily WHERE app_id = '" + app + "'"));
        assertEquals(count(events, e -> "play".equals(e.action()), e -> e.eventDate() + "|" + e.contentId()),
                rows("SELECT event_date || '|' || content_id, sum(plays) FROM fact_content_engagement_daily WHERE app_id = '" + app + "' GROUP BY 1 HAVING sum(plays) > 0"));

        // host arrays: hits and unique visitors on each day of the month
        Map<String, Long> hits = count(events, e -> e.host() != null, e -> e.host() + "|" + e.eventDate());
        Map<String, Long> hitArrays = rows("""
                SELECT host || '|' || (month_start + (d.i - 1)::int), d.hits FROM host_activity_reduced,
                       unnest(hit_array) WITH ORDINALITY AS d(hits, i)
                WHERE d.hits > 0 AND app_id = '""" + app + "'");
        assertEquals(hits, hitArrays);
        Map<String, Long> visitors = events.stream().filter(e -> e.host() != null).collect(Collectors.groupingBy(
                e -> e.host() + "|" + e.eventDate(), Collectors.collectingAndThen(Collectors.mapping(EnrichedEvent::userId, Collectors.toSet()), s -> (long) s.size())));
        assertEquals(visitors, rows("""
                SELECT host || '|' || (month_start + (d.i - 1)::int), d.v FROM host_activity_reduced,
                       unnest(unique_visitors_array) WITH ORDINALITY AS d(v, i)
                WHERE d.v > 0 AND app_id = '""" + app + "'"));

        // first seen
        Map<String, Long> firstDays = events.stream().collect(Collectors.groupingBy(EnrichedEvent::userId,
                Collectors.collectingAndThen(Collectors.minBy(java.util.Comparator.comparing(EnrichedEvent::timestamp)),
                        e -> e.orElseThrow().eventDate().toEpochDay())));
        assertEquals(firstDays, rows("SELECT user_id, first_date - date '1970-01-01' FROM user_first_seen WHERE app_id = '" + app + "'"));

        // real time: today's active users in Redis match the stored events of today
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Set<String> todayUsers = events.stream().filter(e -> e.eventDate().equals(today)).map(EnrichedEvent::userId).collect(Collectors.toCollection(HashSet::new));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(todayUsers.size(),
                redis.hyperloglog(String.class).pfcount(RedisKeys.dailyUsers(app, today))));
    }

    /**
     * fact_daily_feed's posts and view-to-like time move by what each batch changes in feed_user_posts (V36): a user's
     * views and likes of the same posts arrive over many batches, earlier likes after later ones, and after each the
     * row equals the figures worked out here from every event sent.
     */
    @Test
    void feedPostsAndViewToLikeFollowEveryBatchOfAUsersDay() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        Random random = new Random(36);
        Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
        List<EnrichedEvent> sent = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                EnrichedEvent e = feed(app, random.nextInt(3) == 0 ? "feed.like" : "feed.view", random.nextInt(25),
                        day.plusSeconds(random.nextInt(86_400)), "reader");
                sent.add(e);
                values.add(MAPPER.writeValueAsString(e));
            }
            TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, "reader"), values.toArray(String[]::new));
            int stored = sent.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT coalesce(sum(views + likes), 0) FROM fact_daily_feed WHERE app_id = '"
                    + app + "'") == stored);

            Map<Long, Instant> firstView = new HashMap<>();
            Map<Long, Instant> firstLike = new HashMap<>();
            for (EnrichedEvent e : sent) {
                (e.event().equals("feed.view") ? firstView : firstLike).merge(e.postId(), e.timestamp(), (a, b) -> a.isBefore(b) ? a : b);
            }
            Set<Long> posts = new HashSet<>(firstView.keySet());
            posts.addAll(firstLike.keySet());
            BigDecimal seconds = BigDecimal.ZERO;
            int liked = 0;
            for (Map.Entry<Long, Instant> like : firstLike.entrySet()) {
                Instant view = firstView.get(like.getKey());
                if (view != null && !like.getValue().isBefore(view)) {
                    seconds = seconds.add(BigDecimal.valueOf(Duration.between(view, like.getValue()).toSeconds()));
                    liked++;
                }
            }
            try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement(); ResultSet row = s.executeQuery(
                    "SELECT posts, view_to_like_sum, view_to_like_count, avg_view_to_like_seconds FROM fact_daily_feed WHERE app_id = '" + app + "'")) {
                assertTrue(row.next());
                assertEquals(posts.size(), row.getInt(1), "posts after round " + round);
                assertEquals(0, seconds.compareTo(row.getBigDecimal(2)), "view-to-like seconds after round " + round);
                assertEquals(liked, row.getInt(3), "posts liked after their view, after round " + round);
                if (liked == 0) {
                    assertEquals(null, row.getObject(4));
                } else {
                    assertEquals(seconds.doubleValue() / liked, row.getDouble(4), 1e-9, "average after round " + round);
                }
            }
        }
    }

    private static EnrichedEvent feed(String app, String name, long post, Instant ts, String user) {
        return new EnrichedEvent(app, UUID.randomUUID(), name, "engagement", user, ts, ts.atZone(ZoneOffset.UTC).toLocalDate(), ts, false, false,
                null, null, post, null, null, null, null, null, null, new UserTraits(1, 30, null, null, "DE", null, null), "mobile",
                null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * A user-week-name of the funnels' state holds at most 131,072 times: the batch that reaches the limit is still
     * kept, the next one gives the row up (times NULL: funnels over it read the raw store) instead of rewriting ever
     * larger values, and later batches leave it so without failing.
     */
    @Test
    void aRowOfTooManyEventTimesIsGivenUpNotRewritten() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        LocalDate week = EventTimes.weekStart(now.atZone(ZoneOffset.UTC).toLocalDate());
        // all but one of the limit, each earlier than the events sent below
        long first = week.atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000 - 1_000_000_000_000L;
        execute("INSERT INTO user_event_times (app_id, week_start, event, user_id, times, first_micros, last_micros) SELECT '" + app + "', '" + week
                + "', 'feed.view', 'heavy', user_event_times_encode(ARRAY(SELECT " + first + " + g FROM generate_series(1, 131071) AS g)), "
                + (first + 1) + ", " + (first + 131_071));
        Random random = new Random(11);
        String rowLength = "SELECT coalesce(length(times), -1) FROM user_event_times WHERE app_id = '" + app + "' AND user_id = 'heavy'";
        for (int sent = 1; sent <= 3; sent++) {
            TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, "heavy"),
                    viewOf(event(app, random, now.minusSeconds(sent), "heavy")));
            long count = sent;
            await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") == count);
            assertEquals(sent == 1 ? 131_072L * 8 : -1L, queryLong(rowLength), "after event " + sent);
        }
    }

    /** The event as enrich-service would send it, made a feed view. */
    private static String viewOf(EnrichedEvent e) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode json = MAPPER.valueToTree(e);
        json.put("event", "feed.view").put("post_id", 1);
        return MAPPER.writeValueAsString(json);
    }

    /**
     * Late events tell query-api's cache which days changed: their own, and the later first day of a user they move
     * back (its new users change); on-time events and the other days are left alone.
     */
    @Test
    void eventsOfEndedDaysBumpTheDaysTheyChange() throws Exception {
        // which days have ended when events are stored is the point: not across a midnight
        org.junit.jupiter.api.Assumptions.assumeTrue(LocalTime.now(ZoneOffset.UTC).isBefore(LocalTime.of(23, 58)), "too close to midnight UTC");
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate day = today.minusDays(1);
        Random random = new Random(3);
        EnrichedEvent current = event(app, random, Instant.now().truncatedTo(ChronoUnit.SECONDS), "a");
        TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, "a"), MAPPER.writeValueAsString(current));
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") == 1);
        Map<String, Long> expected = new TreeMap<>();
        assertEquals(expected, rows("SELECT event_date::text, version FROM closed_day_changes WHERE app_id = '" + app + "'"), "today's event");

        // received before midnight (not late) but stored after it: a day query-api may already hold, so it is bumped
        EnrichedEvent storedAfterMidnight = event(app, random, day.atTime(23, 59, 59).toInstant(ZoneOffset.UTC), "c");
        assertEquals(false, storedAfterMidnight.late());
        TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, "c"), MAPPER.writeValueAsString(storedAfterMidnight));
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") == 2);
        expected.merge(day.toString(), 1L, Long::sum);
        assertEquals(expected, new TreeMap<>(rows("SELECT event_date::text, version FROM closed_day_changes WHERE app_id = '" + app + "'")));

        long stored = 2;
        for (String[] late : List.of(new String[] {"a", "3"}, new String[] {"b", "5"}, new String[] {"b", "5"})) {
            LocalDate at = day.minusDays(Long.parseLong(late[1]));
            com.fasterxml.jackson.databind.node.ObjectNode json = MAPPER.valueToTree(event(app, random, at.atTime(9, 0).toInstant(ZoneOffset.UTC), late[0]));
            json.put("late", true);
            TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, late[0]), MAPPER.writeValueAsString(json));
            long count = ++stored;
            await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") == count);
            expected.merge(at.toString(), 1L, Long::sum);
            if (late[0].equals("a")) {
                // a's first day was today's event's: it moves back, and that day's new users change
                expected.merge(today.toString(), 1L, Long::sum);
            }
        }
        assertEquals(expected, new TreeMap<>(rows("SELECT event_date::text, version FROM closed_day_changes WHERE app_id = '" + app + "'")));
    }

    @Test
    void recomputeRebuildsTheSameFactsAndIsIdempotent() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        Random random = new Random(99);
        Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
        List<EnrichedEvent> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            events.add(event(app, random, start.plusSeconds(random.nextInt(2 * 86_400 - 1)), "u" + random.nextInt(6)));
        }
        sendLaterHalfFirst(app, events, events.get(0));
        List<String> incremental = facts(app);
        assertEquals(0L, eventTimesDifferences(app), "the funnels' state of two parts out of order");
        String body = "{\"app\":\"" + app + "\",\"from\":\"" + start.atZone(ZoneOffset.UTC).toLocalDate()
                + "\",\"to\":\"" + start.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1) + "\"}";
        for (int run = 0; run < 2; run++) {
            io.restassured.RestAssured.given().header("Authorization", "Bearer test-admin-token").contentType("application/json").body(body)
                    .when().post("/v1/admin/recompute").then().statusCode(200).body("events_replayed", org.hamcrest.Matchers.equalTo(events.size()));
            assertEquals(incremental, facts(app), "recompute run " + (run + 1) + " equals the incremental path");
            assertEquals(0L, eventTimesDifferences(app), "recompute run " + (run + 1) + ": no time added twice");
        }
        assertEquals(4L, queryLong("SELECT version FROM closed_day_versions WHERE app_id = '" + app + "'"),
                "each recomputed day tells query-api's closed-day cache (2 days x 2 runs)");
        io.restassured.RestAssured.given().header("Authorization", "Bearer wrong").contentType("application/json").body(body)
                .when().post("/v1/admin/recompute").then().statusCode(401);
    }

    @Test
    void dailyCloseSnapshotsEachEndedDayOnceAndRebuildsFactsThatDisagreeWithTheRawStore() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        Random random = new Random(5);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate timesDamaged = today.minusDays(4);
        LocalDate damaged = today.minusDays(3);
        LocalDate intact = today.minusDays(2);
        LocalDate sessionsDamaged = today.minusDays(5);
        LocalDate eventSideDamaged = today.minusDays(1);
        List<EnrichedEvent> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            LocalDate day = switch (i % 5) {
                case 0 -> damaged;
                case 1 -> intact;
                case 2 -> timesDamaged;
                case 3 -> eventSideDamaged;
                default -> sessionsDamaged;
            };
            events.add(event(app, random, day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(random.nextInt(86_400)), "u" + random.nextInt(6)));
        }
        // the close counts the state's distinct times: rows of two parts out of order, and a time of the intact day twice,
        // of a user of that day only, whose row the repairs of the days before it (each a cut of its week) leave alone
        EnrichedEvent lone = event(app, random, intact.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(random.nextInt(86_400)), "lone");
        events.add(lone);
        sendLaterHalfFirst(app, events, lone);
        Instant rejectedAt = intact.atTime(12, 0).toInstant(ZoneOffset.UTC);
        TestData.send(infra().bootstrapServers(), Topics.INVALID, app, MAPPER.writeValueAsString(
                new InvalidEvent(app, "missing_field", "user_id is required", "{}", Topics.RAW, 0, TestData.newOffset(), rejectedAt)));
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'") == 1);
        List<String> correct = facts(app);
        // only the funnels' state of one day: a user's times of it cut out, as if an older version had stored them
        long start = timesDamaged.atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000;
        execute("UPDATE user_event_times SET times = user_event_times_without(times, " + start + ", " + (start + 86_400_000_000L) + ")"
                + " WHERE app_id = '" + app + "' AND user_id = 'u2'");
        execute("DELETE FROM fact_user_daily WHERE app_id = '" + app + "' AND event_date = '" + damaged + "' AND user_id = 'u1'");
        // only the sessions of one day: one more bounce than its events make
        execute("UPDATE fact_user_daily SET bounces = bounces + 1 WHERE app_id = '" + app + "' AND event_date = '" + sessionsDamaged
                + "' AND user_id = 'u3'");
        // only the event rollup of one day: one row's events under another host, the day's sum of events unchanged
        execute("UPDATE fact_user_event_daily SET host = 'elsewhere.example' WHERE ctid = (SELECT ctid FROM fact_user_event_daily"
                + " WHERE app_id = '" + app + "' AND event_date = '" + eventSideDamaged + "' LIMIT 1)");
        execute("UPDATE host_activity_reduced SET hit_array[" + damaged.getDayOfMonth() + "] = 0 WHERE app_id = '" + app + "' AND month_start = '" + damaged.withDayOfMonth(1) + "'");
        // its sessions are kept with its timeout (SessionRebuildJob's record; the job is off in tests), so the close checks them
        execute("SELECT user_day_sessions_kept('" + app + "', 0)");
        // the app existed before the days closed, so they are due
        execute("UPDATE apps SET created_at = now() - interval '5 days' WHERE app_id = '" + app + "'");

        Map<LocalDate, DailyCloseJob.Closed> closed = dailyClose.closeDaysEndedBy(Instant.now()).await().atMost(Duration.ofSeconds(60))
                .stream().filter(c -> c.day().appId().equals(app)).collect(Collectors.toMap(c -> c.day().date(), c -> c));
        assertEquals(Set.of(today.minusDays(5), today.minusDays(4), damaged, intact, today.minusDays(1)), closed.keySet(),
                "every ended day since the app was created, not today");
        assertEquals(true, closed.get(damaged).repaired(), "the damaged day is rebuilt");
        assertEquals(true, closed.get(timesDamaged).repaired(), "the day whose event times were damaged is rebuilt");
        assertEquals(true, closed.get(sessionsDamaged).repaired(), "the day whose sessions were damaged is rebuilt");
        assertEquals(true, closed.get(eventSideDamaged).repaired(), "the day whose event rollup was damaged is rebuilt");
        assertEquals(false, closed.get(intact).repaired());
        assertEquals(correct, facts(app), "the rebuilt facts equal the incremental ones before the damage");
        assertEquals(List.of(), dailyClose.closeDaysEndedBy(Instant.now()).await().atMost(Duration.ofSeconds(60))
                .stream().filter(c -> c.day().appId().equals(app)).toList(), "a day is closed once");

        for (LocalDate day : List.of(sessionsDamaged, timesDamaged, damaged, intact, eventSideDamaged)) {
            List<EnrichedEvent> ofDay = events.stream().filter(e -> e.eventDate().equals(day)).toList();
            long complete = ofDay.stream().filter(e -> e.device() != null && (e.contentId() == null || e.contentType() != null)).count();
            String where = " FROM quality_snapshot_daily WHERE app_id = '" + app + "' AND event_date = '" + day + "'";
            assertEquals(ofDay.size(), queryLong("SELECT accepted" + where));
            assertEquals(ofDay.stream().map(EnrichedEvent::userId).distinct().count(), queryLong("SELECT active_users" + where));
            assertEquals(Math.round(1_000_000.0 * complete / ofDay.size()), queryLong("SELECT round(completeness * 1000000)" + where));
            assertEquals(1L, queryLong("SELECT count(*)" + where + " AND facts_consistent"));
        }
        String intactDay = " FROM quality_snapshot_daily WHERE app_id = '" + app + "' AND event_date = '" + intact + "'";
        assertEquals(1L, queryLong("SELECT rejected" + intactDay));
        assertEquals(1L, queryLong("SELECT (rejected_by_reason->>'missing_field')::bigint" + intactDay));
        long accepted = events.stream().filter(e -> e.eventDate().equals(intact)).count();
        assertEquals(Math.round(1_000_000.0 * accepted / (accepted + 1)), queryLong("SELECT round(validation_rate * 1000000)" + intactDay));
    }

    /**
     * Sends the later half of the events' times first, then the earlier half, and {@code twinned} again under another
     * id in the half it is not in (added to {@code events}), waiting for each half: the funnels' state gets rows of two
     * parts out of order and a time twice (V41).
     */
    private static void sendLaterHalfFirst(String app, List<EnrichedEvent> events, EnrichedEvent twinned) throws Exception {
        List<EnrichedEvent> byTime = events.stream().sorted(Comparator.comparing(EnrichedEvent::timestamp)).toList();
        List<EnrichedEvent> later = new ArrayList<>(byTime.subList(byTime.size() / 2, byTime.size()));
        List<EnrichedEvent> earlier = new ArrayList<>(byTime.subList(0, byTime.size() / 2));
        EnrichedEvent twin = with(twinned, "event_id", UUID.randomUUID().toString());
        (later.contains(twinned) ? earlier : later).add(twin);
        events.add(twin);
        Stored.send(app, later);
        Stored.send(app, earlier);
        assertTrue(queryLong("SELECT count(*) FROM user_event_times u WHERE app_id = '" + app + "' AND EXISTS (SELECT 1 FROM (SELECT t,"
                + " lag(t) OVER (ORDER BY n) AS previous FROM user_event_times_decode(u.times) WITH ORDINALITY AS d(t, n)) AS o WHERE t <= previous)") > 0,
                "rows out of order");
    }

    /** {@code e} with one field of its JSON form set to {@code value}. */
    static EnrichedEvent with(EnrichedEvent e, String field, String value) throws Exception {
        ObjectNode json = MAPPER.valueToTree(e);
        json.put(field, value);
        // the JSON form holds derived properties (a traits object's "empty") the record has no field for
        return MAPPER.copy().disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).treeToValue(json, EnrichedEvent.class);
    }

    private static long eventTimesDifferences(String app) throws SQLException {
        try (Connection c = infra().dataSource().getConnection()) {
            return FactTables.eventTimesDifferences(c, app);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> facts(String app) throws SQLException {
        try (Connection c = infra().dataSource().getConnection()) {
            return FactTables.snapshot(c, app);
        }
    }

    @Test
    void traitsWhoseQuotedValuesRunTogetherAlikeKeepTheirOwnRows() {
        // quoted and run together, country "x" + city "y'z" and country "x'y" + city "z" both read 'x''y''z'
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        Instant ts = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        List<String> values = new ArrayList<>();
        for (String[] place : List.of(new String[] {"x", "y'z"}, new String[] {"x'y", "z"})) {
            EnrichedEvent e = new EnrichedEvent(app, UUID.randomUUID(), "page_view", "engagement", "quoter", ts,
                    ts.atZone(ZoneOffset.UTC).toLocalDate(), ts, false, false, null, null, null, null, null, null, null, null, null,
                    new UserTraits(null, null, null, null, place[0], place[1], null), "desktop", null, null, "h.example", "/",
                    null, null, null, null, null, null);
            try {
                values.add(MAPPER.writeValueAsString(e));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }
        TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, "quoter"), values.toArray(String[]::new));
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") == 2);
        assertEquals(Map.of("x|y'z", 1L, "x'y|z", 1L),
                rows("SELECT country || '|' || city, events FROM fact_user_event_daily WHERE app_id = '" + app + "'"));
    }

    @Test
    void realtimeViewsAreRebuiltWhenRedisLosesThem() {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        Random random = new Random(7);
        Instant now = Instant.now();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            EnrichedEvent e = event(app, random, now.minusSeconds(i), "rt-user");
            try {
                values.add(MAPPER.writeValueAsString(e));
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }
        TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, "rt-user"), values.toArray(String[]::new));
        await().atMost(Duration.ofSeconds(30)).until(() -> eventsInRedis(app, now) == 20);
        redis.flushall();
        await().atMost(Duration.ofSeconds(30)).until(() -> eventsInRedis(app, now) == 20);
        // the rebuild sets its marker after writing the views: a flush before that would leave the marker alone
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.key().exists(RedisKeys.BUILT_MARKER));

        // an upgrade from the key layout without hash tags: its views (rt:<app>:…) and its marker (rt:built) are
        // there, none in the new keys; the new layout's marker is missing, so the views are rebuilt into the new
        // keys and the old ones cleared
        long minute = now.getEpochSecond() / 60;
        String oldKey = "rt:" + app + ":ev:" + minute;
        redis.flushall();
        redis.value(Long.class).set(oldKey, 20L);
        redis.value(String.class).set("rt:built", now.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> eventsInRedis(app, now) == 20);
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.key().exists(RedisKeys.BUILT_MARKER));
        assertEquals(0, redis.key().exists(oldKey, "rt:built"), "the old layout's keys are cleared");
    }

    private long eventsInRedis(String app, Instant now) {
        long total = 0;
        for (long minute = now.getEpochSecond() / 60 - 2; minute <= now.getEpochSecond() / 60; minute++) {
            Long n = redis.value(Long.class).get(RedisKeys.events(app, minute));
            total += n == null ? 0 : n;
        }
        return total;
    }

    private static Map<String, Long> count(List<EnrichedEvent> events, java.util.function.Predicate<EnrichedEvent> filter,
            java.util.function.Function<EnrichedEvent, String> key) {
        return events.stream().filter(filter).collect(Collectors.groupingBy(key, Collectors.counting()));
    }

    private static Map<String, Long> rows(String sql) {
        Map<String, Long> rows = new HashMap<>();
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    private static long queryLong(String sql) {
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0L;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
