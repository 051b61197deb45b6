package dev.pulse.ingest.service;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The per-app token bucket in Redis, shared by every ingest replica. One Lua script reads, refills, takes and
 * writes the bucket, so concurrent requests of all replicas are serialised by Redis and none can spend the same
 * tokens twice. Time is Redis's own ({@code TIME}), not the replicas' clocks, which may disagree.
 *
 * <p>The bucket is a hash {@code tokens}, {@code ts} (microseconds of Redis time of the last update) under
 * {@code rl:{app}}. A bucket idle long enough to be full again expires ({@code PEXPIRE}): a missing bucket is
 * a full one, so idle apps cost no memory. The commands the script runs are exactly what ingest's Redis ACL user
 * may run besides {@code EVALSHA}/{@code EVAL}: {@code TIME}, {@code HMGET}, {@code HSET}, {@code PEXPIRE}.
 */
final class GlobalBucketScript {
    /**
     * KEYS[1] the bucket; ARGV: events per second, burst, events requested, expiry in ms.
     * Returns 0 when admitted (the events are taken), else the whole seconds until they could be.
     */
    static final String TEXT = """
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local want = tonumber(ARGV[3])
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
            local tokens = tonumber(state[1])
            local ts = tonumber(state[2])
            if tokens == nil or ts == nil then
              tokens = burst
              ts = now
            end
            -- a clock that went back (a failover to a replica behind) refills nothing instead of taking tokens away
            local elapsed = math.max(0, now - ts)
            tokens = math.min(burst, tokens + elapsed * rate / 1000000)
            local wait = 0
            if tokens >= want then
              tokens = tokens - want
            else
              -- never more than a full bucket's wait (RateLimiter refuses a burst below the largest request)
              local missing = math.min(want, burst) - tokens
              wait = math.max(1, math.ceil(missing / rate))
            end
            redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.0f', now))
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return wait
            """;

    /** What EVALSHA names the script by: Redis keeps scripts by the SHA-1 of their text. */
    static final String SHA1 = sha1(TEXT);

    private GlobalBucketScript() {
    }

    /**
     * Runs the script by its digest, and sends its text only when this Redis does not know it yet (a restart, a
     * failover, {@code SCRIPT FLUSH}): one round trip in the usual case, and no {@code SCRIPT LOAD} needed.
     */
    static Uni<Integer> run(ReactiveRedisDataSource redis, String key, String rate, String burst, int events, String ttlMillis) {
        String want = Integer.toString(events);
        return redis.execute("EVALSHA", SHA1, "1", key, rate, burst, want, ttlMillis)
                .onFailure(GlobalBucketScript::noScript)
                .recoverWithUni(() -> redis.execute("EVAL", TEXT, "1", key, rate, burst, want, ttlMillis))
                .map(response -> response.toInteger());
    }

    private static boolean noScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
