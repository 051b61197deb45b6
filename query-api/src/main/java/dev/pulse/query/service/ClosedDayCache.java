package dev.pulse.query.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.Query;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Supplier;

/**
 * Answers about days that are over do not change, unless late events arrive: aggregate-service then bumps the
 * app's {@code closed_day_versions} row in the same transaction, and answers are cached under that version.
 * A day counts as over some minutes after its midnight, once its last on-time events are through the pipeline.
 */
@ApplicationScoped
public class ClosedDayCache {
    private record Key(Query query, long version) {
    }

    private final SqlRows sql;
    private final QueryConfig config;
    private final Cache<Key, QueryService.Answer> answers;

    public ClosedDayCache(SqlRows sql, QueryConfig config) {
        this.sql = sql;
        this.config = config;
        this.answers = Caffeine.newBuilder().maximumSize(config.cache().size()).expireAfterWrite(config.cache().ttl()).build();
    }

    /** The last day of the app that is over (in its timezone, after the settle time). */
    public LocalDate lastClosedDay(Query query) {
        return Instant.now().minus(config.cache().settle()).atZone(query.app().zone()).toLocalDate().minusDays(1);
    }

    public Uni<QueryService.Answer> get(Query query, Supplier<Uni<QueryService.Answer>> compute) {
        if (config.cache().size() == 0 || query.to().isAfter(lastClosedDay(query))) {
            return compute.get();
        }
        return sql.query("SELECT version FROM closed_day_versions WHERE app_id = $1", List.of(query.app().appId())).flatMap(rows -> {
            Key key = new Key(query, rows.isEmpty() ? 0 : ((Number) rows.get(0).get(0)).longValue());
            QueryService.Answer cached = answers.getIfPresent(key);
            return cached != null ? Uni.createFrom().item(cached) : compute.get().invoke(answer -> answers.put(key, answer));
        });
    }
}
