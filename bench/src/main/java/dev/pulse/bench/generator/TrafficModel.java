package dev.pulse.bench.generator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Users with traits doing what users of a social app do: feed views and likes on Zipf-popular posts, messages,
 * content plays, page views, signups, purchases and referrals; trait changes now and then. Deterministic for a
 * seed. Events are plain maps, serialised as an app would send them.
 */
public final class TrafficModel {
    public static final int POSTS = 2_000;
    public static final int CONTENT = 200;
    public static final String[] HOSTS = {"www.example.com", "blog.example.com", "shop.example.com"};
    private static final String[] COUNTRIES = {"DE", "FR", "US", "BR", "IN", "JP"};
    private static final String[] CITIES = {"Berlin", "Paris", "Austin", "Recife", "Pune", "Osaka"};
    private static final String[] OS = {"Android", "iOS", "Windows", "macOS"};
    private static final String[] SOURCES = {"organic", "ads", "referral", "email"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"};

    private final Random random;
    private final GeneratorConfig config;
    private final Zipf posts = new Zipf(POSTS, 1.1);
    private final Zipf content = new Zipf(CONTENT, 1.0);
    private final Zipf users;
    private final Map<Integer, Map<String, Object>> traits = new LinkedHashMap<>();

    public TrafficModel(GeneratorConfig config) {
        this.config = config;
        this.random = new Random(config.seed());
        this.users = new Zipf(config.users(), 0.8);
    }

    /** Catalog entries for the content that events will reference: content_id → length in seconds. */
    public static Map<String, Integer> catalog(long seed) {
        Random random = new Random(seed);
        Map<String, Integer> catalog = new LinkedHashMap<>();
        for (int i = 0; i < CONTENT; i++) {
            catalog.put("c" + i, 30 + random.nextInt(1800));
        }
        return catalog;
    }

    /** One batch of events as of {@code now}. */
    public List<Map<String, Object>> batch(int size, Instant now) {
        List<Map<String, Object>> events = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            events.add(random.nextDouble() < config.invalidRate() ? invalid() : event(now));
        }
        return events;
    }

    public boolean skewedClock() {
        return random.nextDouble() < config.skewRate();
    }

    public Duration skew() {
        return Duration.ofSeconds(random.nextInt(7200) - 3600);
    }

    public boolean duplicate() {
        return random.nextDouble() < config.duplicateRate();
    }

    private Map<String, Object> event(Instant now) {
        int user = users.next(random);
        Map<String, Object> e = new LinkedHashMap<>();
        byte[] id = new byte[16];
        random.nextBytes(id);
        e.put("event_id", UUID.nameUUIDFromBytes(id).toString());
        e.put("user_id", random.nextBoolean() ? user : String.valueOf(user));
        Instant ts = now.minusMillis(random.nextInt(2000));
        if (random.nextDouble() < config.lateRate()) {
            ts = ts.minus(Duration.ofHours(24 + random.nextInt(48)));
        }
        e.put("timestamp", ts.toString());
        e.put("session_id", "s" + user + "-" + (ts.getEpochSecond() / 1800));
        Map<String, Object> properties = new LinkedHashMap<>();
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("user_agent", AGENTS[user % AGENTS.length]);
        int kind = random.nextInt(100);
        if (kind < 45) {
            e.put("event", "feed.view");
            properties.put("post_id", posts.next(random));
        } else if (kind < 58) {
            e.put("event", "feed.like");
            properties.put("post_id", posts.next(random));
        } else if (kind < 70) {
            e.put("event", "message.sent");
            properties.put("receiver_id", String.valueOf(users.next(random)));
        } else if (kind < 82) {
            e.put("event", "content.engagement");
            properties.put("content_id", "c" + content.next(random));
            String action = new String[] {"play", "pause", "finish", "click"}[random.nextInt(4)];
            properties.put("action", action);
            properties.put("duration_ms", random.nextInt(600_000));
        } else if (kind < 94) {
            e.put("event", "page_view");
            context.put("host", HOSTS[random.nextInt(HOSTS.length)]);
            context.put("url", "/p/" + random.nextInt(50));
        } else if (kind < 96) {
            e.put("event", "signup");
        } else if (kind < 98) {
            e.put("event", "purchase");
            properties.put("revenue", random.nextInt(10_000) / 100.0);
            properties.put("currency", "EUR");
        } else {
            e.put("event", "referral");
        }
        if (!properties.isEmpty()) {
            e.put("properties", properties);
        }
        e.put("context", context);
        Map<String, Object> userTraits = traits(user, ts);
        if (!userTraits.equals(traits.get(user)) || random.nextInt(200) == 0) {
            traits.put(user, userTraits);
            e.put("user", userTraits);
        }
        return e;
    }

    /**
     * A user's traits are a function of the user and the time, so that every sender (and a resend) agrees on
     * them; each user moves to another country every 50 hours, at a phase of its own: trait changes happen.
     */
    private static Map<String, Object> traits(int user, Instant at) {
        Map<String, Object> t = new LinkedHashMap<>();
        int place = (int) ((user + (at.getEpochSecond() / 3600 + user) / 50) % COUNTRIES.length);
        t.put("gender", user % 2);
        t.put("age", 16 + (user * 7) % 60);
        t.put("os", OS[user % OS.length]);
        t.put("source", SOURCES[user % SOURCES.length]);
        t.put("country", COUNTRIES[place]);
        t.put("city", CITIES[place]);
        t.put("exp_group", user % 4);
        return t;
    }

    private Map<String, Object> invalid() {
        Map<String, Object> e = new LinkedHashMap<>();
        switch (random.nextInt(3)) {
            case 0 -> e.put("event", "feed.view"); // no user_id, no post_id
            case 1 -> {
                e.put("event", "Not A Name");
                e.put("user_id", "x");
            }
            default -> {
                e.put("event", "purchase");
                e.put("user_id", "x");
                e.put("properties", Map.of("revenue", -5));
            }
        }
        return e;
    }
}
