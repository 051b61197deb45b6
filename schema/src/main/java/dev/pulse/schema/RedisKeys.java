package dev.pulse.schema;

import java.time.LocalDate;

/**
 * Every Redis key Pulse writes or reads, in one place: the real-time views (aggregate writes, query-api reads,
 * SPEC §6 /v1/realtime) and ingest's global rate-limit buckets.
 *
 * <p>Per-app keys carry the app as a Redis Cluster hash tag ({@code {<app>}}): on a cluster only the tag is
 * hashed, so all keys of one app live in one slot. That is what lets query-api's multi-key reads of an app's
 * window ({@code MGET}, {@code PFCOUNT}, {@code ZUNION} over its minutes) and a script over an app's bucket run on
 * a cluster at all, which refuses a command whose keys span slots ({@code CROSSSLOT}). Apps are slugs
 * ({@code [a-z0-9-]}), so an app never contains a brace itself. The real-time keys keep their {@code rt:} prefix,
 * so aggregate's rebuild still clears them with {@code SCAN MATCH rt:*} ({@code {}} is not a glob character).
 */
public final class RedisKeys {
    /**
     * Present while the real-time views are complete; its absence means Redis lost data and a rebuild is due. Named
     * after the key layout: an aggregate of a new layout finds no marker of its own, so its first check rebuilds the
     * views in the new keys and clears the old ones ({@code rt:*}), instead of leaving the window empty for an hour
     * (v2: the app as a hash tag).
     */
    public static final String BUILT_MARKER = "rt:built:v2";
    /**
     * Bumped by each rebuild at its cut: a batch writes its views only while the epoch it read when it took its
     * PostgreSQL locks is current, otherwise its events are in the rebuild. Outside {@code rt:*}, which a rebuild clears.
     */
    public static final String EPOCH = "rt-epoch";
    /** Prefix of ingest's rate-limit buckets; its Redis ACL user is confined to {@code ~rl:*}. */
    public static final String RATE_LIMIT_PREFIX = "rl:";

    private RedisKeys() {
    }

    /** The hash tag of an app: the part of its keys Redis Cluster hashes. */
    public static String hashTag(String app) {
        return "{" + app + "}";
    }

    private static String realtime(String app, String kind) {
        return "rt:" + hashTag(app) + ":" + kind + ":";
    }

    public static String events(String app, long minute) {
        return realtime(app, "ev") + minute;
    }

    public static String users(String app, long minute) {
        return realtime(app, "u") + minute;
    }

    public static String topContent(String app, long minute) {
        return realtime(app, "tc") + minute;
    }

    public static String topEvents(String app, long minute) {
        return realtime(app, "te") + minute;
    }

    public static String dailyUsers(String app, LocalDate date) {
        return realtime(app, "dau") + date;
    }

    public static String recentContentEvents(String app, String contentId) {
        return realtime(app, "recent") + contentId;
    }

    /** Pattern of an app's recent-events lists, for {@code SCAN MATCH}; a content id's glob characters need no escape here, the app's none. */
    public static String recentContentEventsPattern(String app) {
        return realtime(app, "recent") + "*";
    }

    /** Ingest's token bucket of an app (a hash: tokens and the Redis time of its last update), shared by every ingest replica. */
    public static String rateLimit(String app) {
        return RATE_LIMIT_PREFIX + hashTag(app);
    }
}
