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

import java.lang.ref.WeakReference;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
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

    /** A range's merged value, kept under the app's version; it holds the days' counters it was merged under. */
    private record MergedQuestion(Object question, LocalDate firstDay, LocalDate lastDay) {
    }

    /**
     * A merged value, the days' counters in order it was merged under (not only their sum: replicas may show two days'
     * bumps in either order), and the days' values it was merged of: not held (the cache holds them while they are
     * kept), but known as the very values merged, so a day whose value is another object now is one to update from.
     */
    private record Merged<T, M extends Weighted>(List<Long> counters, M value, List<WeakReference<T>> days) implements Weighted {
        @Override
        public int weight() {
            return value.weight();
        }
    }

    /** A merged value brought up to date with the values of some of its days. */
    @FunctionalInterface
    public interface Update<T, M> {
        /**
         * {@code merged} as {@code days} (every day's value now, each one that may be kept) give it, where it was merged
         * of the values of {@code before} for its days and of the values now for the others.
         */
        M apply(M merged, Map<LocalDate, T> days, Map<LocalDate, T> before);
    }

    /**
     * As {@link #eachDay}, the days' values merged by {@code merge} into one, itself kept under the app's version with
     * the days' counters while every day's value may be kept: a warm answer takes it instead of merging each day's
     * again (a month of a breakdown by post merged 30 × 2,000 groups per call, bench/RESULTS.md). After late events it
     * is brought up to date by {@code update} from the changed days' values before and now, while those before are
     * still in memory: a late event changes a group or two of a day, and merging the month again was most of an answer
     * under churn.
     */
    @SuppressWarnings("unchecked")
    public <T extends Weighted, M extends Weighted> Uni<M> eachDayMerged(SqlRows through, App app, LocalDate firstDay, LocalDate lastDay,
            Object question, BiFunction<SqlRows, List<LocalDate>, Uni<Map<LocalDate, T>>> compute, Function<Map<LocalDate, T>, M> merge,
            Update<T, M> update) {
        if (lastDay.isBefore(firstDay)) {
            throw new IllegalArgumentException("no day from " + firstDay + " to " + lastDay);
        }
        if (config.cache().weight() == 0) {
            return compute.apply(through, firstDay.datesUntil(lastDay.plusDays(1)).toList()).map(merge);
        }
        return through.onOneServer(server -> versions.eachDay(server, app.appId(), firstDay, lastDay).flatMap(read -> {
            List<Long> counters = firstDay.datesUntil(lastDay.plusDays(1)).map(day -> read.get(day).days()).toList();
            Key key = new Key(new MergedQuestion(question, firstDay, lastDay), new Versions(read.get(firstDay).app(), 0));
            Merged<T, M> kept = (Merged<T, M>) values.getIfPresent(key);
            if (kept != null && kept.counters().equals(counters)) {
                return Uni.createFrom().item(kept.value());
            }
            return days(server, firstDay, lastDay, question, compute, read).map(days -> {
                // a value that may not be kept may differ from the day's own (days without state read together, in one's)
                boolean keepable = days.values().stream().allMatch(Weighted::cacheable);
                M updated = kept == null || !keepable ? null : updated(kept, days, update);
                M merged = updated != null ? updated : merge.apply(days);
                if (merged.cacheable() && keepable) {
                    values.put(key, new Merged<>(counters, merged, days.values().stream().map(WeakReference::new).toList()));
                }
                return merged;
            });
        }));
    }

    /** {@code kept} brought up to {@code days} by {@code update}; null where a value it was merged of is gone (or a day). */
    private <T extends Weighted, M extends Weighted> M updated(Merged<T, M> kept, Map<LocalDate, T> days, Update<T, M> update) {
        if (kept.days().size() != days.size()) {
            return null;
        }
        Map<LocalDate, T> before = new TreeMap<>();
        Iterator<WeakReference<T>> merged = kept.days().iterator();
        for (Map.Entry<LocalDate, T> day : days.entrySet()) {
            T was = merged.next().get();
            if (was == null) {
                return null;
            }
            if (was != day.getValue()) {
                before.put(day.getKey(), was);
            }
        }
        return update.apply(kept.value(), days, before);
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
