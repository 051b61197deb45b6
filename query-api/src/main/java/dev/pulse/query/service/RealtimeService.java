package dev.pulse.query.service;

import dev.pulse.schema.RedisKeys;
import dev.pulse.web.problem.StoreFailures;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.sortedset.ScoredValue;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SPEC §6 /v1/realtime, from the per-minute views aggregate-service keeps in Redis. */
@ApplicationScoped
public class RealtimeService {
    private static final int TOP = 10;
    private final ReactiveRedisDataSource redis;

    public RealtimeService(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    public Uni<Map<String, Object>> snapshot(String app, int minutes, Instant now) {
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
            List<Map<String, Object>> perMinute = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < window.size(); i++) {
                Long n = t.getItem2().get(eventKeys[i]);
                total += n == null ? 0 : n;
                perMinute.add(Map.of("minute", Instant.ofEpochSecond(window.get(i) * 60).toString(), "events", n == null ? 0 : n));
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("app", app);
            answer.put("minutes", minutes);
            answer.put("active_users", t.getItem1());
            answer.put("events", total);
            answer.put("events_per_minute", perMinute);
            answer.put("top_content", top(t.getItem3(), "content_id"));
            answer.put("top_events", top(t.getItem4(), "event"));
            return answer;
        }).onFailure(StoreFailures::unreachable).transform(e -> StoreFailures.unavailable("Redis"));
    }

    private static List<Map<String, Object>> top(List<ScoredValue<String>> values, String name) {
        return values.stream().sorted(Comparator.comparingDouble(ScoredValue<String>::score).reversed()
                        .thenComparing(ScoredValue::value)).limit(TOP)
                .map(v -> Map.<String, Object>of(name, v.value(), "events", (long) v.score())).toList();
    }
}
