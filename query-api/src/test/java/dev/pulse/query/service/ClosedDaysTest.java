package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.GroupUsers;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Query;
import dev.pulse.query.domain.RollupTotals;
import dev.pulse.query.service.DayStateService.ClosedDays;
import dev.pulse.query.service.DayStateService.DayPart;
import dev.pulse.query.testing.RandomPartials;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A month merged once and brought up to date from the days late events changed equals the month merged again from
 * every day's part now: random days of random users, random changes (none, users added or gone, groups added or gone,
 * first users moved), with and without a week in the groups.
 */
class ClosedDaysTest {
    private static final LocalDate FIRST = LocalDate.of(2026, 10, 29);
    private static final String[] COUNTRIES = {"DE", "FR", "US", "PL", "JP", "BR"};

    /** One user's row of a day: the group's country, the user's ordinal and partials. */
    private record Row(String country, int user, Object[] partials) {
    }

    /** What a day's part is read from: rebuilt into new objects each time, as a part read again is. */
    private record Day(List<Row> rows, TreeSet<Integer> firstUsers) {
        Day copy() {
            return new Day(new ArrayList<>(rows), new TreeSet<>(firstUsers));
        }
    }

    @Test
    void aMonthBroughtUpToDateEqualsTheMonthMergedAgain() {
        Random random = new Random(21);
        for (List<Dimension> dimensions : List.of(List.of(Dimension.USER_COUNTRY), List.of(Dimension.TIME_WEEK, Dimension.USER_COUNTRY))) {
            Query query = new Query(new App("app", ZoneOffset.UTC), List.of(Metric.ACTIVE_USERS), FIRST, FIRST.plusDays(11), dimensions,
                    List.of(), List.of(), Integer.MAX_VALUE, 0);
            for (int round = 0; round < 200; round++) {
                Map<LocalDate, Day> before = new TreeMap<>();
                for (int d = 0; d < 12; d++) {
                    before.put(FIRST.plusDays(d), day(random));
                }
                Map<LocalDate, Day> now = new TreeMap<>(before);
                int changes = 1 + random.nextInt(3);
                for (int c = 0; c < changes; c++) {
                    LocalDate changed = FIRST.plusDays(random.nextInt(12));
                    now.put(changed, changed(random, now.get(changed)));
                }
                Map<LocalDate, DayPart> partsBefore = parts(query, before);
                Map<LocalDate, DayPart> partsNow = parts(query, now);
                Map<LocalDate, DayPart> changedBefore = new TreeMap<>();
                now.forEach((day, read) -> {
                    if (read != before.get(day)) {
                        changedBefore.put(day, partsBefore.get(day));
                    } else {
                        partsNow.put(day, partsBefore.get(day));
                    }
                });
                ClosedDays kept = ClosedDays.merged(query, partsBefore, 1000);
                ClosedDays updated = ClosedDays.updated(query, kept, partsNow, changedBefore, 1000);
                assertSameAnswer(query, ClosedDays.merged(query, partsNow, 1000), updated, dimensions + " round " + round);
                if (now.equals(before)) {
                    assertSame(kept, updated, "days read again unchanged keep the month");
                }
                updated.groups().forEach((key, users) -> {
                    if (changedBefore.values().stream().noneMatch(part -> part.groups().containsKey(key))
                            && changedBefore.keySet().stream().noneMatch(day -> partsNow.get(day).groups().containsKey(key))) {
                        assertSame(kept.groups().get(key), users, "a group no changed day holds is the month's " + key);
                    }
                });
            }
        }
    }

    @Test
    void moreGroupsThanAnAnswerHoldsAreNotAnswered() {
        Query query = new Query(new App("app", ZoneOffset.UTC), List.of(Metric.ACTIVE_USERS), FIRST, FIRST.plusDays(1),
                List.of(Dimension.USER_COUNTRY), List.of(), List.of(), Integer.MAX_VALUE, 0);
        Day one = new Day(new ArrayList<>(List.of(new Row("DE", 1, RandomPartials.of(new Random(1), null)))), new TreeSet<>());
        Day two = new Day(new ArrayList<>(List.of(new Row("DE", 2, RandomPartials.of(new Random(2), null)),
                new Row("FR", 3, RandomPartials.of(new Random(3), null)))), new TreeSet<>());
        Map<LocalDate, DayPart> before = parts(query, Map.of(FIRST, one, FIRST.plusDays(1), one));
        Map<LocalDate, DayPart> now = parts(query, Map.of(FIRST, one, FIRST.plusDays(1), two));
        ClosedDays kept = ClosedDays.merged(query, before, 1);
        assertEquals(1, kept.groups().size());
        assertEquals(false, ClosedDays.updated(query, kept, now, Map.of(FIRST.plusDays(1), before.get(FIRST.plusDays(1))), 1).answered());
    }

    private static void assertSameAnswer(Query query, ClosedDays expected, ClosedDays actual, String what) {
        assertEquals(expected.answered(), actual.answered(), what);
        assertEquals(expected.groups().keySet(), actual.groups().keySet(), what);
        assertEquals(expected.firstUsers(), actual.firstUsers(), what);
        assertEquals(expected.weight(), actual.weight(), what + ": the weight, kept up to date, as the groups' sum");
        expected.groups().forEach((key, users) -> {
            RoaringBitmap first = expected.firstUsers().getOrDefault(key.size() == 2 ? key.getFirst() : "", new RoaringBitmap());
            RollupTotals want = users.totals(first);
            RollupTotals got = actual.groups().get(key).totals(first);
            for (Metric metric : Metric.values()) {
                if (metric.inRollup()) {
                    assertEquals(String.valueOf(metric.fromRollup(want)), String.valueOf(metric.fromRollup(got)), what + " " + key + " " + metric.apiName());
                }
            }
        });
    }

    private static Day day(Random random) {
        Day day = new Day(new ArrayList<>(), new TreeSet<>());
        int rows = random.nextInt(12);
        for (int i = 0; i < rows; i++) {
            day.rows().add(row(random));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            day.firstUsers().add(random.nextInt(30));
        }
        return day;
    }

    private static Row row(Random random) {
        return new Row(COUNTRIES[random.nextInt(COUNTRIES.length)], random.nextInt(30), RandomPartials.of(random, null));
    }

    /** The day read again after a late event: the same, or with a user added, a group's rows gone, a first user moved. */
    private static Day changed(Random random, Day day) {
        Day changed = day.copy();
        switch (random.nextInt(5)) {
            case 0 -> {
                // a late event of another dimension's value: the same part, read again
            }
            case 1 -> changed.rows().add(row(random));
            case 2 -> {
                String country = COUNTRIES[random.nextInt(COUNTRIES.length)];
                changed.rows().removeIf(row -> row.country().equals(country));
            }
            case 3 -> {
                if (!changed.firstUsers().isEmpty()) {
                    changed.firstUsers().remove(changed.firstUsers().first());
                }
                changed.firstUsers().add(random.nextInt(30));
            }
            default -> changed.rows().add(new Row("NEW-" + random.nextInt(3), random.nextInt(30), RandomPartials.of(random, null)));
        }
        return changed;
    }

    private static Map<LocalDate, DayPart> parts(Query query, Map<LocalDate, Day> days) {
        Map<LocalDate, DayPart> parts = new TreeMap<>();
        days.forEach((date, day) -> {
            Map<List<Object>, GroupUsers> groups = new LinkedHashMap<>();
            for (Row row : day.rows()) {
                List<Object> key = query.dimensions().size() == 2
                        ? List.of(date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString(), row.country()) : List.of(row.country());
                groups.computeIfAbsent(key, k -> new GroupUsers()).addUser(row.user(), row.partials());
            }
            RoaringBitmap first = new RoaringBitmap();
            day.firstUsers().forEach(first::add);
            parts.put(date, new DayPart(groups, first, true, true));
        });
        return parts;
    }
}
