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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Answers about days that are over do not change, unless late events arrive: aggregate-service then bumps, in the
 * same transaction, the counters of the days they change ({@code closed_day_changes}), or the app's version
 * ({@code closed_day_versions}) for a change of its whole past. An answer is kept with the app's version and the
 * sum of the counters of the days it reads, so a late event for one day leaves the answers about other days cached.
 * A day counts as over some minutes after its midnight, once its last on-time events are through the pipeline.
 * <p>
 * A question is kept once, with the versions of its value: a value of newer versions replaces it. Kept under its
 * versions as well, every late event left a value behind that no answer would read again, often read before and so
 * favoured by the cache's admission over the new one (Caffeine's TinyLFU), which was dropped: under late-event churn
 * a month by post read its changed days again on every call (bench/RESULTS.md). An answer of older versions (a slow
 * one, or a lagging replica's) is computed, not kept over the newer value.
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

    /** A kept value and the versions it was read under. */
    private record Versioned(Object versions, Weighted value) implements Weighted {
        @Override
        public int weight() {
            return value.weight();
        }
    }

    private final ClosedDayVersionRepository versions;
    private final QueryConfig config;
    private final Cache<Object, Versioned> values;

    public ClosedDayCache(ClosedDayVersionRepository versions, QueryConfig config) {
        this.versions = versions;
        this.config = config;
        this.values = Caffeine.newBuilder().maximumWeight(config.cache().weight())
                .<Object, Versioned>weigher((question, value) -> Math.max(1, value.weight()))
                .expireAfterWrite(config.cache().ttl()).build();
    }

    /** The last day of the app that is over (in its timezone, after the settle time). */
    public LocalDate lastClosedDay(App app) {
        return Instant.now().minus(config.cache().settle()).atZone(app.zone()).toLocalDate().minusDays(1);
    }

    /** The value kept for {@code question} under {@code versions}, or null. */
    @SuppressWarnings("unchecked")
    private <T> T kept(Object question, Object versions) {
        Versioned kept = values.getIfPresent(question);
        return kept != null && kept.versions().equals(versions) ? (T) kept.value() : null;
    }

    /**
     * Keeps {@code value} for {@code question} unless a value of the same or newer versions is kept (another answer's,
     * computed meanwhile; a slower one of older versions, or a lagging replica's, does not replace the newer one).
     * Gives the value kept under {@code versions}: the one held already where it was there first, so that every
     * answer refers to the one object kept.
     */
    @SuppressWarnings("unchecked")
    private <T extends Weighted> T keep(Object question, Object versions, T value) {
        Versioned held = values.asMap().merge(question, new Versioned(versions, value),
                (kept, offered) -> kept.versions().equals(offered.versions()) || newer(kept.versions(), offered.versions()) ? kept : offered);
        return held.versions().equals(versions) ? (T) held.value() : value;
    }

    /** Whether versions {@code a} are newer than {@code b} (of one question): a later app version, or later counters. */
    private static boolean newer(Object a, Object b) {
        return switch (a) {
            case Versions x when b instanceof Versions y -> x.app() > y.app() || x.app() == y.app() && x.days() > y.days();
            case MergedVersions x when b instanceof MergedVersions y -> x.app() > y.app() || x.app() == y.app() && !x.equals(y)
                    && IntStream.range(0, x.days().size()).allMatch(i -> x.days().get(i) >= y.days().get(i));
            default -> throw new IllegalArgumentException("versions of two kinds: " + a + ", " + b);
        };
    }

    /**
     * The value of a question about the app's days {@code firstDay..lastDay}: cached once all of them are over, until
     * one of the days it reads changes, read {@code through} the caller's {@link SqlRows} (inside another cached
     * answer's computation, its connection). {@code compute} reads through the {@link SqlRows} it is given: for a cached
     * answer, the connection the versions were read on. query-api may read from streaming replicas, each replaying
     * at its own pace: on one server an answer read after the versions is at least as new as they are, so it is
     * never cached under versions newer than its data (on two, a lagging replica could answer for a newer key).
     */
    public <T extends Weighted> Uni<T> get(SqlRows through, App app, LocalDate firstDay, LocalDate lastDay, Object question,
            Function<SqlRows, Uni<T>> compute) {
        if (config.cache().weight() == 0 || lastDay.isAfter(lastClosedDay(app))) {
            return compute.apply(through);
        }
        return through.onOneServer(server -> versions.days(server, app.appId(), firstDay.minusDays(DAYS_READ_BEFORE), lastDay).flatMap(read -> {
            T cached = kept(question, read);
            return cached != null ? Uni.createFrom().item(cached) : compute.apply(server).invoke(value -> {
                if (value.cacheable()) {
                    keep(question, read, value);
                }
            });
        }));
    }

    /** A question about one day, kept with that day's versions only. */
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

    /** A range's merged value. */
    private record MergedQuestion(Object question, LocalDate firstDay, LocalDate lastDay) {
    }

    /**
     * A merged value's versions: the app's and the days' counters in order (not only their sum: replicas may show two
     * days' bumps in either order).
     */
    private record MergedVersions(long app, List<Long> days) {
    }

    /**
     * A merged value and the days' values it was merged of, from the first day on: not held through these references
     * (the cache holds a day's value while it is kept; the merged value may share parts of them), but known as the
     * very values merged, so a day whose value is another object now is one to update from.
     */
    private record Merged<T, M extends Weighted>(M value, List<WeakReference<T>> days) implements Weighted {
        @Override
        public int weight() {
            // a reference and a counter per day: ~60 bytes of the cache's units of a few hundred
            return value.weight() + days.size() / 4;
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
     * As {@link #eachDay}, the days' values merged by {@code merge} into one, itself kept with the app's version and
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
            MergedQuestion key = new MergedQuestion(question, firstDay, lastDay);
            MergedVersions now = new MergedVersions(read.get(firstDay).app(),
                    firstDay.datesUntil(lastDay.plusDays(1)).map(day -> read.get(day).days()).toList());
            Versioned kept = values.getIfPresent(key);
            if (kept != null && kept.versions().equals(now)) {
                return Uni.createFrom().item(((Merged<T, M>) kept.value()).value());
            }
            // the days' values it was merged of, held before their days' new ones replace them
            Map<LocalDate, T> before = kept == null || ((MergedVersions) kept.versions()).app() != now.app() ? null
                    : merged(firstDay, (Merged<T, M>) kept.value());
            return days(server, firstDay, lastDay, question, compute, read).map(days -> {
                // a value that may not be kept may differ from the day's own (days without state read together, in one's)
                boolean keepable = days.values().stream().allMatch(Weighted::cacheable);
                M merged = before == null || !keepable ? merge.apply(days)
                        : update.apply(((Merged<T, M>) kept.value()).value(), days, changed(before, days));
                if (merged.cacheable() && keepable) {
                    keep(key, now, new Merged<>(merged, days.values().stream().map(WeakReference::new).toList()));
                }
                return merged;
            });
        }));
    }

    /** The days' values {@code kept} was merged of, from {@code firstDay}; null where one is gone. */
    private static <T, M extends Weighted> Map<LocalDate, T> merged(LocalDate firstDay, Merged<T, M> kept) {
        Map<LocalDate, T> days = new TreeMap<>();
        for (int i = 0; i < kept.days().size(); i++) {
            T value = kept.days().get(i).get();
            if (value == null) {
                return null;
            }
            days.put(firstDay.plusDays(i), value);
        }
        return days;
    }

    /** Of the values {@code before}, those of the days whose value is another now. */
    private static <T> Map<LocalDate, T> changed(Map<LocalDate, T> before, Map<LocalDate, T> now) {
        Map<LocalDate, T> changed = new TreeMap<>();
        before.forEach((day, value) -> {
            if (now.get(day) != value) {
                changed.put(day, value);
            }
        });
        return changed;
    }

    /** Each day's value under the versions {@code read}: kept ones, and those {@code compute} gives for the others. */
    private <T extends Weighted> Uni<Map<LocalDate, T>> days(SqlRows server, LocalDate firstDay, LocalDate lastDay, Object question,
            BiFunction<SqlRows, List<LocalDate>, Uni<Map<LocalDate, T>>> compute, Map<LocalDate, Versions> read) {
        Map<LocalDate, T> found = new TreeMap<>();
        List<LocalDate> missing = new ArrayList<>();
        for (LocalDate day : firstDay.datesUntil(lastDay.plusDays(1)).toList()) {
            T cached = kept(new DayQuestion(question, day), read.get(day));
            if (cached != null) {
                found.put(day, cached);
            } else {
                missing.add(day);
            }
        }
        return missing.isEmpty() ? Uni.createFrom().item(found) : compute.apply(server, missing).map(computed -> {
            computed.forEach((day, value) -> found.put(day, value.cacheable() ? keep(new DayQuestion(question, day), read.get(day), value) : value));
            return found;
        });
    }
}
