package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.domain.RealtimeDelta;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.schema.RedisKeys;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.redis.datasource.transactions.ReactiveTransactionalRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Real-time views in Redis, per app and minute of event time: event counts, active users (HyperLogLog), top
 * content and top events (each kept to its top entries); active users per day; recent events per content.
 * Everything expires on its own. A batch's writes are one MULTI/EXEC under WATCH of the epoch, applied only
 * while the epoch is the one the batch read (see RedisKeys.EPOCH and AppLocks).
 */
@ApplicationScoped
public class RealtimeRepository {
    /** An entry of a content's recent-events list. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RecentEvent(String userId, String action, Instant timestamp) {
    }

    /**
     * A transaction's commands go out pipelined on one connection, whose client refuses more than 2048 waiting
     * replies (and would leave it inside MULTI): up to 15 commands per event, so 100 events per transaction.
     */
    private static final int EVENTS_PER_TRANSACTION = 100;

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper mapper;
    private final Duration minuteTtl;
    private final Duration dayTtl;
    private final int recentPerContent;
    private final int topPerMinute;

    public RealtimeRepository(ReactiveRedisDataSource redis, ObjectMapper mapper, AggregateConfig config) {
        this.redis = redis;
        this.mapper = mapper;
        this.minuteTtl = config.realtime().window().plusMinutes(5);
        this.dayTtl = Duration.ofDays(3);
        this.recentPerContent = config.realtime().recentPerContent();
        this.topPerMinute = config.realtime().topPerMinute();
    }

    /** The current epoch (0 before the first rebuild). */
    public Uni<Long> epoch() {
        return redis.value(Long.class).get(RedisKeys.EPOCH).map(epoch -> epoch == null ? 0L : epoch);
    }

    /** A new epoch: batches that read an older one no longer write their views. */
    public Uni<Long> nextEpoch() {
        return redis.value(Long.class).incr(RedisKeys.EPOCH);
    }

    /**
     * Applies events, if {@code epoch} is still current; those older than the real-time window only count for their day.
     *
     * @return false when the epoch moved on: a rebuild took its snapshot after these events were committed, so it has them
     */
    public Uni<Boolean> record(List<EnrichedEvent> events, Instant now, long epoch) {
        List<List<EnrichedEvent>> chunks = new ArrayList<>();
        for (int from = 0; from < events.size(); from += EVENTS_PER_TRANSACTION) {
            chunks.add(events.subList(from, Math.min(events.size(), from + EVENTS_PER_TRANSACTION)));
        }
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(chunk -> redis.withTransaction(
                        r -> r.value(Long.class).get(RedisKeys.EPOCH).map(current -> current == null ? 0L : current),
                        (current, tx) -> current == epoch ? record(tx, chunk, now) : tx.discard(), RedisKeys.EPOCH))
                .collect().asList().map(results -> results.stream().noneMatch(result -> result.discarded()));
    }

    private Uni<Void> record(ReactiveTransactionalRedisDataSource redis, List<EnrichedEvent> events, Instant now) {
        RealtimeDelta delta = RealtimeDelta.of(events, now.minus(minuteTtl).getEpochSecond() / 60);
        List<Uni<Void>> writes = new ArrayList<>();
        delta.minutes().forEach((k, m) -> {
            writes.add(redis.value(Long.class).incrby(RedisKeys.events(k.appId(), k.minute()), m.events()).replaceWithVoid());
            writes.add(redis.hyperloglog(String.class).pfadd(RedisKeys.users(k.appId(), k.minute()), m.users().toArray(String[]::new)).replaceWithVoid());
            m.names().forEach((name, n) -> writes.add(redis.sortedSet(String.class).zincrby(RedisKeys.topEvents(k.appId(), k.minute()), n, name).replaceWithVoid()));
            m.content().forEach((id, n) -> writes.add(redis.sortedSet(String.class).zincrby(RedisKeys.topContent(k.appId(), k.minute()), n, id).replaceWithVoid()));
            // an app sending ever new names or content ids keeps a bounded number of entries per minute
            writes.add(redis.sortedSet(String.class).zremrangebyrank(RedisKeys.topEvents(k.appId(), k.minute()), 0, -topPerMinute - 1));
            writes.add(redis.sortedSet(String.class).zremrangebyrank(RedisKeys.topContent(k.appId(), k.minute()), 0, -topPerMinute - 1));
            for (String key : List.of(RedisKeys.events(k.appId(), k.minute()), RedisKeys.users(k.appId(), k.minute()),
                    RedisKeys.topEvents(k.appId(), k.minute()), RedisKeys.topContent(k.appId(), k.minute()))) {
                writes.add(redis.key().expire(key, minuteTtl).replaceWithVoid());
            }
        });
        delta.dailyUsers().forEach((k, users) -> {
            writes.add(redis.hyperloglog(String.class).pfadd(RedisKeys.dailyUsers(k.appId(), k.date()), users.toArray(String[]::new)).replaceWithVoid());
            writes.add(redis.key().expire(RedisKeys.dailyUsers(k.appId(), k.date()), dayTtl).replaceWithVoid());
        });
        delta.engagement().forEach((content, engagement) -> {
            String key = RedisKeys.recentContentEvents(content.appId(), content.contentId());
            String[] items = engagement.stream().map(e -> json(new RecentEvent(e.userId(), e.action(), e.timestamp()))).toArray(String[]::new);
            writes.add(redis.list(String.class).lpush(key, items).replaceWithVoid());
            writes.add(redis.list(String.class).ltrim(key, 0, recentPerContent - 1).replaceWithVoid());
            writes.add(redis.key().expire(key, minuteTtl).replaceWithVoid());
        });
        return Uni.join().all(writes).andFailFast().replaceWithVoid();
    }

    private String json(RecentEvent event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes every real-time key, the marker included. */
    public Uni<Void> clear() {
        return clearMatching("rt:*");
    }

    private Uni<Void> clearMatching(String pattern) {
        return redis.key().scan(new KeyScanArgs().match(pattern).count(1000)).toMulti()
                .group().intoLists().of(500)
                .onItem().transformToUniAndConcatenate(keys -> redis.key().del(keys.toArray(String[]::new)))
                .collect().last().replaceWithVoid();
    }
}
