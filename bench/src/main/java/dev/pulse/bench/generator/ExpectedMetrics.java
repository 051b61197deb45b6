package dev.pulse.bench.generator;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * SPEC §5 daily metrics computed straight from the accepted events, independently of Pulse: what the dashboard
 * query must answer for the same data.
 */
public final class ExpectedMetrics {
    public static final String[] METRICS = {"active_users", "events", "views", "likes", "posts", "feed_users", "messages",
        "senders", "receivers", "connections", "signups", "purchases", "revenue", "page_views"};

    private ExpectedMetrics() {
    }

    /** Day (YYYY-MM-DD in {@code zone}) → metric → value, for accepted events keyed by event id. */
    @SuppressWarnings("unchecked")
    public static Map<String, Map<String, Object>> daily(Collection<Map<String, Object>> events, ZoneId zone) {
        Map<String, Day> days = new TreeMap<>();
        for (Map<String, Object> e : events) {
            String day = Instant.parse((String) e.get("timestamp")).atZone(zone).toLocalDate().toString();
            Map<String, Object> p = (Map<String, Object>) e.getOrDefault("properties", Map.of());
            days.computeIfAbsent(day, d -> new Day()).add((String) e.get("event"), String.valueOf(e.get("user_id")), p);
        }
        Map<String, Map<String, Object>> out = new TreeMap<>();
        days.forEach((day, d) -> out.put(day, d.metrics()));
        return out;
    }

    private static final class Day {
        final Set<String> users = new HashSet<>();
        final Set<String> feedUsers = new HashSet<>();
        final Set<Object> posts = new HashSet<>();
        final Set<String> senders = new HashSet<>();
        final Set<String> receivers = new HashSet<>();
        final Set<String> connections = new HashSet<>();
        long events;
        long views;
        long likes;
        long messages;
        long signups;
        long purchases;
        long pageViews;
        BigDecimal revenue = BigDecimal.ZERO;

        void add(String event, String user, Map<String, Object> p) {
            events++;
            users.add(user);
            switch (event) {
                case "feed.view", "feed.like" -> {
                    if (event.equals("feed.view")) {
                        views++;
                    } else {
                        likes++;
                    }
                    feedUsers.add(user);
                    posts.add(String.valueOf(p.get("post_id")));
                }
                case "message.sent" -> {
                    messages++;
                    senders.add(user);
                    receivers.add(String.valueOf(p.get("receiver_id")));
                    connections.add(user + "\u0000" + p.get("receiver_id"));
                }
                case "signup" -> signups++;
                case "purchase" -> {
                    purchases++;
                    revenue = revenue.add(new BigDecimal(String.valueOf(p.get("revenue"))));
                }
                case "page_view" -> pageViews++;
                default -> {
                    // counted as an event only
                }
            }
        }

        Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("active_users", users.size());
            m.put("events", events);
            m.put("views", views);
            m.put("likes", likes);
            m.put("posts", posts.size());
            m.put("feed_users", feedUsers.size());
            m.put("messages", messages);
            m.put("senders", senders.size());
            m.put("receivers", receivers.size());
            m.put("connections", connections.size());
            m.put("signups", signups);
            m.put("purchases", purchases);
            m.put("revenue", revenue);
            m.put("page_views", pageViews);
            return m;
        }
    }
}
