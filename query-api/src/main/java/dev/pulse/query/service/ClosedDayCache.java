package dev.pulse.query.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
import dev.pulse.query.repository.ClosedDayVersionRepository;
import dev.pulse.query.repository.ClosedDayVersionRepository.Versions;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Answers about days that are over do not change, unless late events arrive: aggregate-service then bumps, in the
 * same transaction, the counters of the days they change ({@code closed_day_changes}), or the app's version
 * ({@code closed_day_versions}) for a change of its whole past. An answer is cached under the app's version and the
 * sum of the counters of the days it reads, so a late event for one day leaves the answers about other days cached.
 * A day counts as over some minutes after its midnight, once its last on-time events are through the pipeline.
 */
@ApplicationScoped
public class ClosedDayCache {
    /** What a cached value costs: its rows or entries (the cache's bound is their total). */
    public interface Weighted {
        int weight();

        /** Whether it may be kept: not an answer that only says another way must answer, which may change sooner. */
        default boolean cacheable() {
            return true;
        }
    }

    /** wau and mau of a day read the 27 days before it; no answer reads further back than its range. */
    static final int DAYS_READ_BEFORE = 27;

    private record Key(Object question, Versions versions) {
    }

    private final ClosedDayVersionRepository versions;
    private final QueryConfig config;
    private final Cache<Key, Weighted> values;

    public ClosedDayCache(ClosedDayVersionRepository versions, QueryConfig config) {
        this.versions = versions;
        this.config = config;
        this.values = Caffeine.newBuilder().maximumWeight(config.cache().weight())
                .<Key, Weighted>weigher((key, value) -> Math.max(1, value.weight()))
                .expireAfterWrite(config.cache().ttl()).build();
    }

    /** The last day of the app that is over (in its timezone, after the settle time). */
    public LocalDate lastClosedDay(App app) {
        return Instant.now().minus(config.cache().settle()).atZone(app.zone()).toLocalDate().minusDays(1);
    }

    /**
     * The value of a question about the app's days {@code firstDay..lastDay}: cached once all of them are over, until
     * one of the days it reads changes, read {@code through} the caller's {@link SqlRows} (inside another cached
     * answer's computation, its connection). {@code compute} reads through the {@link SqlRows} it is given: for a cached
     * answer, the connection the versions were read on. query-api may read from streaming replicas, each replaying
     * at its own pace: on one server an answer read after the versions is at least as new as they are, so it is
     * never cached under versions newer than its data (on two, a lagging replica could answer for a newer key).
     */
    @SuppressWarnings("unchecked")
    public <T extends Weighted> Uni<T> get(SqlRows through, App app, LocalDate firstDay, LocalDate lastDay, Object question,
            Function<SqlRows, Uni<T>> compute) {
        if (config.cache().weight() == 0 || lastDay.isAfter(lastClosedDay(app))) {
            return compute.apply(through);
        }
        return through.onOneServer(server -> versions.days(server, app.appId(), firstDay.minusDays(DAYS_READ_BEFORE), lastDay).flatMap(read -> {
            Key key = new Key(question, read);
            T cached = (T) values.getIfPresent(key);
            return cached != null ? Uni.createFrom().item(cached) : compute.apply(server).invoke(value -> {
                if (value.cacheable()) {
                    values.put(key, value);
                }
            });
        }));
    }

    /** A question about one day, kept under that day's versions only. */
    private record DayQuestion(Object question, LocalDate day) {
    }

    /**
     * Values of a question about each of the app's closed days {@code firstDay..lastDay}, each cached under the versions
     * of its own day: a late event for one day leaves the others' values cached. {@code compute} gets the days not
     * cached, reads through the {@link SqlRows} the versions were read on (see {@link #get}) and gives a value for each.
     */
    public <T extends Weighted> Uni<Map<LocalDate, T>> eachDay(SqlRows through, App app, LocalDate firstDay, LocalDate lastDay, Object question,
            BiFunction<SqlRows, List<LocalDate>, Uni<Map<LocalDate, T>>> compute) {
        if (config.cache().weight() == 0) {
            return compute.apply(through, firstDay.datesUntil(lastDay.plusDays(1)).toList());
        }
        return through.onOneServer(server -> versions.eachDay(server, app.appId(), firstDay, lastDay)
                .flatMap(read -> days(server, firstDay, lastDay, question, compute, read)));
    }

    /**
     * A value merged from the values of each day of a range, kept under the days' own counters in order (not only their
     * sum: replicas may show two days' bumps in either order).
     */
    private record MergedQuestion(Object question, LocalDate firstDay, LocalDate lastDay, List<Long> days) {
    }

    /**
     * As {@link #eachDay}, the days' values merged by {@code merge} into one, itself kept under the app's version and
     * the days' counters while every day's value may be kept: a warm answer takes it instead of merging each
     * day's again (a month of a breakdown by post merged 30 × 2,000 groups per call, bench/RESULTS.md).
     */
    @SuppressWarnings("unchecked")
    public <T extends Weighted, M extends Weighted> Uni<M> eachDayMerged(SqlRows through, App app, LocalDate firstDay, LocalDate lastDay,
            Object question, BiFunction<SqlRows, List<LocalDate>, Uni<Map<LocalDate, T>>> compute, Function<Map<LocalDate, T>, M> merge) {
        if (lastDay.isBefore(firstDay)) {
            throw new IllegalArgumentException("no day from " + firstDay + " to " + lastDay);
        }
        if (config.cache().weight() == 0) {
            return compute.apply(through, firstDay.datesUntil(lastDay.plusDays(1)).toList()).map(merge);
        }
        return through.onOneServer(server -> versions.eachDay(server, app.appId(), firstDay, lastDay).flatMap(read -> {
            List<Long> counters = firstDay.datesUntil(lastDay.plusDays(1)).map(day -> read.get(day).days()).toList();
            Key key = new Key(new MergedQuestion(question, firstDay, lastDay, counters), new Versions(read.get(firstDay).app(), 0));
            M cached = (M) values.getIfPresent(key);
            return cached != null ? Uni.createFrom().item(cached) : days(server, firstDay, lastDay, question, compute, read).map(days -> {
                M merged = merge.apply(days);
                if (merged.cacheable() && days.values().stream().allMatch(Weighted::cacheable)) {
                    values.put(key, merged);
                }
                return merged;
            });
        }));
    }

    /** Each day's value under the versions {@code read}: kept ones, and those {@code compute} gives for the others. */
    @SuppressWarnings("unchecked")
    private <T extends Weighted> Uni<Map<LocalDate, T>> days(SqlRows server, LocalDate firstDay, LocalDate lastDay, Object question,
            BiFunction<SqlRows, List<LocalDate>, Uni<Map<LocalDate, T>>> compute, Map<LocalDate, Versions> read) {
        Map<LocalDate, T> found = new TreeMap<>();
        List<LocalDate> missing = new ArrayList<>();
        for (LocalDate day : firstDay.datesUntil(lastDay.plusDays(1)).toList()) {
            T cached = (T) values.getIfPresent(new Key(new DayQuestion(question, day), read.get(day)));
            if (cached != null) {
                found.put(day, cached);
            } else {
                missing.add(day);
            }
        }
        return missing.isEmpty() ? Uni.createFrom().item(found) : compute.apply(server, missing).map(computed -> {
            computed.forEach((day, value) -> {
                if (value.cacheable()) {
                    values.put(new Key(new DayQuestion(question, day), read.get(day)), value);
                }
            });
            found.putAll(computed);
            return found;
        });
    }
}
