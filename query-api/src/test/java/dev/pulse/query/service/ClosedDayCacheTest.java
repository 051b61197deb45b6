package dev.pulse.query.service;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
import dev.pulse.query.repository.ClosedDayVersionRepository;
import dev.pulse.query.repository.ClosedDayVersionRepository.Versions;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * What the closed-day cache keeps of a range merged of its days, and when it brings it up to date rather than merging
 * again: the days' counters are set here (a stand-in for the repository, one server), the days' values are made up.
 */
class ClosedDayCacheTest {
    private static final App APP = new App("app", ZoneOffset.UTC);
    private static final LocalDate FIRST = LocalDate.of(2026, 10, 1);
    private static final LocalDate LAST = FIRST.plusDays(4);

    /** A day's value: its day and the counter it was read under; kept unless said otherwise. */
    private record Part(LocalDate day, long counter, boolean cacheable) implements ClosedDayCache.Weighted {
        @Override
        public int weight() {
            return 1;
        }
    }

    /** A merged value: the parts it was merged of, and how (merged whole, or updated from the days that changed). */
    private record Month(Map<LocalDate, Part> parts, String how) implements ClosedDayCache.Weighted {
        @Override
        public int weight() {
            return parts.size();
        }
    }

    private final Map<LocalDate, Long> counters = new HashMap<>();
    private long appVersion;
    private final List<List<LocalDate>> computed = new ArrayList<>();
    private final List<Map<LocalDate, Part>> updatedFrom = new ArrayList<>();
    private boolean cacheable = true;
    private ClosedDayCache cache;

    @BeforeEach
    void setUp() {
        ClosedDayVersionRepository repository = new ClosedDayVersionRepository() {
            @Override
            public Uni<Map<LocalDate, Versions>> eachDay(SqlRows sql, String appId, LocalDate firstDay, LocalDate lastDay) {
                Map<LocalDate, Versions> read = new HashMap<>();
                firstDay.datesUntil(lastDay.plusDays(1)).forEach(day -> read.put(day, new Versions(appVersion, counters.getOrDefault(day, 0L))));
                return Uni.createFrom().item(read);
            }
        };
        cache = new ClosedDayCache(repository, config(1000));
    }

    @Test
    void aWarmAnswerTakesTheMonthKept() {
        Month first = ask();
        assertEquals("merged", first.how());
        assertSame(first, ask(), "nothing changed: the month kept");
        assertEquals(1, computed.size(), "the days were read once");
    }

    @Test
    void aLateEventsDayIsReadAgainAndTheMonthUpdatedFromIt() {
        Month before = ask();
        counters.put(FIRST.plusDays(2), 1L);
        Month after = ask();
        assertEquals("updated", after.how());
        assertEquals(List.of(FIRST.plusDays(2)), computed.getLast(), "only the changed day is read again");
        assertEquals(Map.of(FIRST.plusDays(2), before.parts().get(FIRST.plusDays(2))), updatedFrom.getLast(), "from its value before");
        assertEquals(1, after.parts().get(FIRST.plusDays(2)).counter());
        assertSame(before.parts().get(FIRST), after.parts().get(FIRST), "the other days' values kept");
    }

    @Test
    void aChangeOfTheWholePastMergesAgain() {
        ask();
        appVersion = 1;
        assertEquals("merged", ask().how());
        assertEquals(5, computed.getLast().size(), "every day read again");
    }

    @Test
    void anAnswerOfOlderVersionsDoesNotReplaceTheNewerMonth() {
        ask();
        counters.put(FIRST, 2L);
        Month newer = ask();
        // a lagging replica (or a slower answer) still at the counter before
        counters.put(FIRST, 1L);
        Month older = ask();
        assertEquals(1, older.parts().get(FIRST).counter());
        counters.put(FIRST, 2L);
        int reads = computed.size();
        assertSame(newer, ask(), "the newer month is still kept");
        assertEquals(reads, computed.size());
    }

    @Test
    void aDayThatMayNotBeKeptIsMergedAndNothingKept() {
        ask();
        counters.put(FIRST.plusDays(1), 1L);
        cacheable = false;
        assertEquals("merged", ask().how());
        assertNotSame(ask(), ask(), "not kept: each answer merges again");
        cacheable = true;
        assertEquals("updated", ask().how(), "the month kept before, brought up to the day read again");
        assertEquals(List.of(FIRST.plusDays(1)), computed.getLast());
    }

    private Month ask() {
        BiFunction<SqlRows, List<LocalDate>, Uni<Map<LocalDate, Part>>> compute = (sql, days) -> {
            computed.add(days);
            Map<LocalDate, Part> parts = new TreeMap<>();
            days.forEach(day -> parts.put(day, new Part(day, counters.getOrDefault(day, 0L), cacheable)));
            return Uni.createFrom().item(parts);
        };
        Function<Map<LocalDate, Part>, Month> merge = days -> new Month(new TreeMap<>(days), "merged");
        ClosedDayCache.Update<Part, Month> update = (month, days, before) -> {
            updatedFrom.add(before);
            return new Month(new TreeMap<>(days), "updated");
        };
        return cache.eachDayMerged(new OneServer(), APP, FIRST, LAST, "question", compute, merge, update).await().indefinitely();
    }

    /** Statements on one server already: nothing here reads a database. */
    private static final class OneServer extends SqlRows {
        OneServer() {
            super(null, null);
        }

        @Override
        public <T> Uni<T> onOneServer(Function<SqlRows, Uni<T>> work) {
            return work.apply(this);
        }
    }

    private static QueryConfig config(long weight) {
        QueryConfig.Cache cache = proxy(QueryConfig.Cache.class, Map.of("weight", weight, "ttl", Duration.ofMinutes(10), "settle", Duration.ofMinutes(5)));
        return proxy(QueryConfig.class, Map.of("cache", cache));
    }

    private static <T> T proxy(Class<T> type, Map<String, Object> answers) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            if (!answers.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName());
            }
            return answers.get(method.getName());
        }));
    }
}
