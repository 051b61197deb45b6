package dev.pulse.query.service;

import dev.pulse.schema.RedisKeys;
import dev.pulse.web.problem.StoreFailures;
import dev.pulse.query.domain.RealtimeSnapshot;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.sortedset.ScoredValue;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** SPEC §6 /v1/realtime, from the per-minute views aggregate-service keeps in Redis. */
@ApplicationScoped
public class RealtimeService {
    private static final int TOP = 10;
    private final ReactiveRedisDataSource redis;

    public RealtimeService(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    public Uni<RealtimeSnapshot> snapshot(String app, int minutes, Instant now) {
        long last = now.getEpochSecond() / 60;
        List<Long> window = new ArrayList<>();
        for (long m = last - minutes + 1; m <= last; m++) {
            window.add(m);
        }
        String[] userKeys = window.stream().map(m -> RedisKeys.users(app, m)).toArray(String[]::new);
        String[] eventKeys = window.stream().map(m -> RedisKeys.events(app, m)).toArray(String[]::new);
        Uni<Long> active = redis.hyperloglog(String.class).pfcount(userKeys);
        Uni<Map<String, Long>> counts = redis.value(Long.class).mget(eventKeys);
        Uni<List<ScoredValue<String>>> content = redis.sortedSet(String.class)
                .zunionWithScores(window.stream().map(m -> RedisKeys.topContent(app, m)).toArray(String[]::new));
        Uni<List<ScoredValue<String>>> events = redis.sortedSet(String.class)
                .zunionWithScores(window.stream().map(m -> RedisKeys.topEvents(app, m)).toArray(String[]::new));
        return Uni.combine().all().unis(active, counts, content, events).asTuple().map(t -> {
            List<RealtimeSnapshot.Minute> perMinute = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < window.size(); i++) {
                Long n = t.getItem2().get(eventKeys[i]);
                total += n == null ? 0 : n;
                perMinute.add(new RealtimeSnapshot.Minute(Instant.ofEpochSecond(window.get(i) * 60).toString(), n == null ? 0 : n));
            }
            return new RealtimeSnapshot(app, minutes, t.getItem1(), total, perMinute, top(t.getItem3(), RealtimeSnapshot.TopContent::new),
                    top(t.getItem4(), RealtimeSnapshot.TopEvent::new));
        }).onFailure(StoreFailures::unreachable).transform(e -> StoreFailures.unavailable("Redis"));
    }

    private static <T> List<T> top(List<ScoredValue<String>> values, BiFunction<String, Long, T> entry) {
        return values.stream().sorted(Comparator.comparingDouble(ScoredValue<String>::score).reversed()
                        .thenComparing(ScoredValue::value)).limit(TOP)
                .map(v -> entry.apply(v.value(), (long) v.score())).toList();
    }
}
