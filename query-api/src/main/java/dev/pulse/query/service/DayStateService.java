package dev.pulse.query.service;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.GroupUsers;
import dev.pulse.query.domain.GroupUsers.Kind;
import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.Query;
import dev.pulse.query.domain.RollupTotals;
import dev.pulse.query.repository.SqlRows;
import dev.pulse.schema.DayStateDimension;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import org.roaringbitmap.RoaringBitmap;

import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Rollup answers from the day state (V33) that aggregate-service keeps per closed app-day: a query whose dimensions
 * and filters name at most one dimension besides time, one the state holds, reads per day and value the users'
 * bitmaps and sums instead of a row per user and group. Days whose state is missing or was built under other
 * versions are read from the rollup per user with each user's ordinal, and merged in; the days not over yet come
 * from their own state (V34) where it has a base, else per group with their users' ordinals as arrays; so answers are
 * exact whatever the state's progress. Each closed day's part is cached under that day's versions: a late
 * event for one day leaves the other days' parts cached, and the next answer reads that day only.
 */
@ApplicationScoped
public class DayStateService {
    /**
     * A closed day's groups and the users whose first day it is; or none ({@code answered} false) when the rows were
     * more than an answer may hold, or the range has no state at all (the rollup path answers). {@code keep}: it may be
     * kept for other answers (a day's own part, all its users numbered by aggregate).
     */
    record DayPart(Map<List<Object>, GroupUsers> groups, RoaringBitmap firstUsers, boolean answered, boolean keep)
            implements ClosedDayCache.Weighted {
        static final DayPart UNANSWERED = new DayPart(Map.of(), new RoaringBitmap(), false, false);

        static DayPart empty() {
            return new DayPart(new LinkedHashMap<>(), new RoaringBitmap(), true, true);
        }

        @Override
        public int weight() {
            return groups.values().stream().mapToInt(GroupUsers::weight).sum() + 1 + (int) (firstUsers.getLongSizeInBytes() / 256);
        }

        /**
         * Kept only answered, on its own and with real ordinals: a user the job has not numbered yet has a number of
         * this answer only (the job may build the missing state any moment, too).
         */
        @Override
        public boolean cacheable() {
            return answered && keep;
        }
    }

    /**
     * Numbers, within one answer, for users aggregate has not given an ordinal yet, from the top of the range (no
     * ordinal reaches them): such a user is in no kept part, only in parts and open days read for this answer. The
     * answer's reads are statements of their own, so aggregate may number a user between two of them: one read has
     * the user's number from here, another its ordinal; {@link #renumbering} makes them one user again.
     */
    static final class Unnumbered {
        private final Map<String, Integer> numbers = new HashMap<>();

        synchronized int of(String user) {
            return numbers.computeIfAbsent(user, u -> -1 - numbers.size());
        }

        synchronized Map<String, Integer> numbers() {
            return Map.copyOf(numbers);
        }
    }

    /**
     * What a day's part depends on besides the day: not the range (new users are worked out from first users, which a
     * part holds when asked for them).
     */
    private record Question(App app, List<Dimension> dimensions, List<Filter> filters, List<Partial> partials, boolean firstUsers) {
    }

    private final QueryCompiler compiler;
    private final ClosedDayCache cache;
    private final int maxRows;

    public DayStateService(QueryCompiler compiler, ClosedDayCache cache, QueryConfig config) {
        this.compiler = compiler;
        this.cache = cache;
        this.maxRows = config.maxRows();
    }

    /** The state dimension that answers the query, if one does: its only dimension besides time, and its filters' too. */
    public Optional<DayStateDimension> dimension(Query query) {
        Set<Dimension> named = new HashSet<>();
        query.dimensions().stream().filter(d -> !d.isTime()).forEach(named::add);
        query.filters().forEach(f -> named.add(f.dimension()));
        if (named.size() > 1) {
            return Optional.empty();
        }
        return named.isEmpty() ? Optional.of(DayStateDimension.TOTAL) : DayStateDimension.of(named.iterator().next().apiName());
    }

    /**
     * Per group, the totals of the query's rollup partials over its range, the days through {@code lastClosed} from
     * the state; empty when the state cannot answer (the caller reads the rollup).
     */
    public Uni<Optional<Map<List<Object>, RollupTotals>>> totals(Query query, DayStateDimension dimension, List<Partial> partials,
            LocalDate lastClosed, SqlRows sql) {
        Unnumbered unnumbered = new Unnumbered();
        // on one server: with several replicas, the lookup of the ordinals sees at least what each read saw
        return sql.onOneServer(server -> groups(query, dimension, partials, lastClosed, unnumbered, server)
                .flatMap(found -> found.isEmpty() ? Uni.createFrom().item(found) : renumbering(query.app(), unnumbered, server).map(found::map)))
                .map(found -> found.map(state -> {
            Map<List<Object>, RollupTotals> totals = new LinkedHashMap<>();
            state.groups().forEach((key, users) -> totals.put(key, users.totals(state.firstUsers(key))));
            return totals;
        }));
    }

    /**
     * The query's groups over its range as bitmaps, each merged over its days, and the first users of each of its time
     * buckets (those of the whole range without a time dimension).
     */
    record StateGroups(Query query, Map<List<Object>, GroupUsers> groups, Map<String, RoaringBitmap> firstUsersByBucket) {
        /** The first users of the group's bucket. */
        RoaringBitmap firstUsers(List<Object> key) {
            return firstUsersByBucket.getOrDefault(bucket(query, key), new RoaringBitmap());
        }

        /** These groups with the users numbered as keys of {@code numbers} numbered as its values. */
        StateGroups renumbered(Map<Integer, Integer> numbers) {
            if (numbers.isEmpty()) {
                return this;
            }
            RoaringBitmap replaced = new RoaringBitmap();
            numbers.keySet().forEach(replaced::add);
            Map<List<Object>, GroupUsers> renumbered = new LinkedHashMap<>();
            groups.forEach((key, users) -> renumbered.put(key, users.renumbered(numbers, replaced)));
            Map<String, RoaringBitmap> first = new HashMap<>();
            firstUsersByBucket.forEach((bucket, users) -> first.put(bucket, GroupUsers.renumbered(users, numbers, replaced)));
            return new StateGroups(query, renumbered, first);
        }
    }

    /**
     * Renumbers what one answer read with {@code unnumbered}: a user it numbered whom aggregate has given an ordinal
     * since (a read after that has the ordinal) by that ordinal, so every read counts the user once. Read after all of
     * the answer's reads, on their server ({@link SqlRows#onOneServer}): an ordinal is taken back only with its user
     * (erasure), so one any read saw is seen here too.
     */
    Uni<UnaryOperator<StateGroups>> renumbering(App app, Unnumbered unnumbered, SqlRows sql) {
        Map<String, Integer> numbered = unnumbered.numbers();
        if (numbered.isEmpty()) {
            return Uni.createFrom().item(UnaryOperator.identity());
        }
        QueryCompiler.Compiled ordinals = compiler.ordinals(app, numbered.keySet());
        return sql.map(ordinals.sql(), ordinals.params(), row -> Map.entry(numbered.get(row.getString(0)), row.getInteger(1)))
                .map(given -> {
                    Map<Integer, Integer> numbers = given.stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
                    return state -> state.renumbered(numbers);
                });
    }

    /**
     * The query's groups over its range, the days through {@code lastClosed} from the state, the rest from the rollup
     * per group with ordinals; {@code unnumbered} numbers the users without an ordinal, the same for every question of
     * one answer. Empty when the state cannot answer (the caller reads the rollup).
     */
    Uni<Optional<StateGroups>> groups(Query query, DayStateDimension dimension, List<Partial> partials, LocalDate lastClosed,
            Unnumbered unnumbered, SqlRows sql) {
        // the days' parts hold no flag of new users: those are each day's first users, whatever the range
        List<Partial> perDay = partials.stream().filter(p -> p != Partial.NEW).toList();
        List<LocalDate> open = lastClosed.plusDays(1).datesUntil(query.to().plusDays(1)).toList();
        Question question = new Question(query.app(), query.dimensions(), query.filters(), perDay, partials.contains(Partial.NEW));
        BiFunction<SqlRows, List<LocalDate>, Uni<Map<LocalDate, DayPart>>> compute = (server, days) -> days(query, dimension, perDay,
                partials.contains(Partial.NEW), days, days.size() == rangeDays(query.from(), lastClosed), unnumbered, server);
        Function<Map<LocalDate, DayPart>, ClosedDays> merge = parts -> ClosedDays.merged(query, parts, maxRows);
        // the merge is kept where it saves work: with open days (a range of closed days only is kept whole, QueryService)
        // and groups spanning days (a daily group is one day's part)
        Uni<ClosedDays> closed = lastClosed.isBefore(query.from()) ? Uni.createFrom().item(merge.apply(Map.of()))
                : !open.isEmpty() && !query.dimensions().contains(Dimension.TIME_DAY)
                ? cache.eachDayMerged(sql, query.app(), query.from(), lastClosed, question, compute, merge,
                        (kept, parts, before) -> ClosedDays.updated(query, kept, parts, before, maxRows))
                : cache.eachDay(sql, query.app(), query.from(), lastClosed, question, compute).map(merge);
        List<Kind> kinds = Stream.of(Kind.values()).filter(k -> k.neededFor(partials)).toList();
        Uni<OpenDays> notOver = open.isEmpty() ? Uni.createFrom().item(new OpenDays(List.of(), Map.of()))
                : openDays(query, dimension, partials, kinds, open, lastClosed.isBefore(query.from()), unnumbered, sql);
        return Uni.combine().all().unis(closed, notOver).asTuple().map(parts -> {
            if (parts.getItem2() == null || !parts.getItem1().answered()) {
                return Optional.empty();
            }
            // each group's closed days, merged, with its parts of the open ones (the cached parts are never changed)
            Map<List<Object>, List<GroupUsers>> groups = new LinkedHashMap<>();
            Map<String, RoaringBitmap> firstUsers = new HashMap<>();
            parts.getItem1().groups().forEach((key, users) -> groups.computeIfAbsent(key, k -> new ArrayList<>()).add(users));
            parts.getItem1().firstUsers().forEach((bucket, users) -> firstUsers.put(bucket, users.clone()));
            parts.getItem2().parts().forEach(part -> part.forEach((key, users) -> groups.computeIfAbsent(key, k -> new ArrayList<>()).add(users)));
            parts.getItem2().firstUsers().forEach((bucket, users) -> firstUsers.computeIfAbsent(bucket, b -> new RoaringBitmap()).or(users));
            if (groups.size() > maxRows) {
                // days cached by narrower questions may merge into more groups than an answer may hold: bounded as before
                return Optional.empty();
            }
            Map<List<Object>, GroupUsers> merged = new LinkedHashMap<>();
            groups.forEach((key, users) -> merged.put(key, GroupUsers.union(users)));
            return Optional.of(new StateGroups(query, merged, firstUsers));
        });
    }

    /**
     * The closed days of a range merged: each group's parts ORed and summed, the first users per time bucket; not
     * answered when a day's part is not ({@link ClosedDayCache#eachDayMerged} keeps it only when every day's part may be).
     */
    record ClosedDays(Map<List<Object>, GroupUsers> groups, Map<String, RoaringBitmap> firstUsers, boolean answered, int groupsWeight)
            implements ClosedDayCache.Weighted {
        private static final ClosedDays UNANSWERED = new ClosedDays(Map.of(), Map.of(), false, 0);

        /** Not answered either with more than {@code maxRows} groups (days cached by narrower questions), before any merge. */
        static ClosedDays merged(Query query, Map<LocalDate, DayPart> days, int maxRows) {
            if (!days.values().stream().allMatch(DayPart::answered)) {
                return UNANSWERED;
            }
            Map<List<Object>, List<GroupUsers>> groups = new LinkedHashMap<>();
            Map<String, RoaringBitmap> firstUsers = new HashMap<>();
            days.forEach((day, part) -> {
                part.groups().forEach((key, users) -> groups.computeIfAbsent(key, k -> new ArrayList<>()).add(users));
                firstUsers.computeIfAbsent(bucket(query, day), b -> new RoaringBitmap()).or(part.firstUsers());
            });
            if (groups.size() > maxRows) {
                return UNANSWERED;
            }
            Map<List<Object>, GroupUsers> merged = new LinkedHashMap<>();
            groups.forEach((key, users) -> merged.put(key, GroupUsers.union(users)));
            return new ClosedDays(Collections.unmodifiableMap(merged), Collections.unmodifiableMap(firstUsers), true,
                    merged.values().stream().mapToInt(GroupUsers::weight).sum());
        }

        /**
         * {@code kept}, merged of the days' parts, brought up to {@code days} (every day's part now), where only the days of
         * {@code before} changed, from their parts there: the groups whose part of such a day changed, and the first
         * users of such a day's bucket, merged again of every day's; the others are kept's. As {@link #merged} would
         * merge them all (the parts are each day's own: {@link ClosedDayCache#eachDayMerged} updates with those only).
         */
        static ClosedDays updated(Query query, ClosedDays kept, Map<LocalDate, DayPart> days, Map<LocalDate, DayPart> before, int maxRows) {
            Set<List<Object>> changed = new HashSet<>();
            Set<String> buckets = new HashSet<>();
            before.forEach((day, was) -> {
                DayPart now = days.get(day);
                was.groups().forEach((key, users) -> {
                    if (!users.sameAs(now.groups().get(key))) {
                        changed.add(key);
                    }
                });
                now.groups().keySet().stream().filter(key -> !was.groups().containsKey(key)).forEach(changed::add);
                if (!was.firstUsers().equals(now.firstUsers())) {
                    buckets.add(bucket(query, day));
                }
            });
            if (changed.isEmpty() && buckets.isEmpty()) {
                return kept;
            }
            Map<List<Object>, List<GroupUsers>> parts = new HashMap<>();
            for (List<Object> key : changed) {
                parts.put(key, days.values().stream().map(part -> part.groups().get(key)).filter(Objects::nonNull).toList());
            }
            // counted before the unions, as merged does: a month over the bound is not merged at all
            long groupsNow = kept.groups().size() + parts.entrySet().stream()
                    .mapToLong(e -> (e.getValue().isEmpty() ? 0 : 1) - (kept.groups().containsKey(e.getKey()) ? 1 : 0)).sum();
            if (groupsNow > maxRows) {
                return UNANSWERED;
            }
            // the weight brought up to date with the changed groups only: summed over every group, it walked the month's bitmaps on each update
            Map<List<Object>, GroupUsers> groups = new LinkedHashMap<>(kept.groups());
            int weight = kept.groupsWeight();
            for (Map.Entry<List<Object>, List<GroupUsers>> part : parts.entrySet()) {
                GroupUsers now = part.getValue().isEmpty() ? null : GroupUsers.union(part.getValue());
                GroupUsers was = now == null ? groups.remove(part.getKey()) : groups.put(part.getKey(), now);
                weight += (now == null ? 0 : now.weight()) - (was == null ? 0 : was.weight());
            }
            Map<String, RoaringBitmap> firstUsers = new HashMap<>(kept.firstUsers());
            for (String bucket : buckets) {
                RoaringBitmap users = new RoaringBitmap();
                days.forEach((day, part) -> {
                    if (bucket(query, day).equals(bucket)) {
                        users.or(part.firstUsers());
                    }
                });
                firstUsers.put(bucket, users);
            }
            return new ClosedDays(Collections.unmodifiableMap(groups), Collections.unmodifiableMap(firstUsers), true, weight);
        }

        @Override
        public int weight() {
            return groupsWeight + 1 + (int) (firstUsers.values().stream().mapToLong(RoaringBitmap::getLongSizeInBytes).sum() / 256);
        }

        @Override
        public boolean cacheable() {
            return answered;
        }
    }

    /** The days not over yet as parts of groups (merged with the closed days' at once), and their first users per time bucket. */
    private record OpenDays(List<Map<List<Object>, GroupUsers>> parts, Map<String, RoaringBitmap> firstUsers) {
    }

    /**
     * The days not over yet: from their state (V34, aggregate's base and its batches' shares) where it has a base of the
     * app's version and holds what the question needs ({@link #holdsOpenDays}: batches rewrite sessions), the
     * others from the rollup per group; null when the rollup's rows are more than an answer may hold, or when
     * {@code allOpen} (the range has no closed day: PostgreSQL's per-group sums are the cheaper read) and a day has no
     * state. The first users of every open day are read before the state: each of them is in the state read after (a
     * batch adds its users' rows and their first day in one transaction), so new users are always among the active ones;
     * a day with a first user not numbered yet then (the job may number and base it before the state is read) is read
     * from the rollup.
     */
    private Uni<OpenDays> openDays(Query query, DayStateDimension dimension, List<Partial> partials, List<Kind> kinds, List<LocalDate> open,
            boolean allOpen, Unnumbered unnumbered, SqlRows sql) {
        if (!holdsOpenDays(dimension, partials)) {
            return allOpen ? Uni.createFrom().nullItem()
                    : rollupGroups(query, partials, kinds, open, unnumbered, sql).map(groups -> groups == null ? null : new OpenDays(List.of(groups), Map.of()));
        }
        Uni<List<List<Object>>> first = partials.contains(Partial.NEW) ? bounded(compiler.firstUsers(query, open), sql) : Uni.createFrom().item(List.of());
        return first.flatMap(firstOfOpen -> {
            if (firstOfOpen == null) {
                return Uni.createFrom().nullItem();
            }
            Map<String, RoaringBitmap> firstUsers = new HashMap<>();
            Set<LocalDate> unnumberedDays = new HashSet<>();
            for (List<Object> user : firstOfOpen) {
                LocalDate day = LocalDate.parse((String) user.get(0));
                if (user.get(2) == null) {
                    unnumberedDays.add(day);
                }
                firstUsers.computeIfAbsent(bucket(query, day), b -> new RoaringBitmap())
                        .add(user.get(2) != null ? ((Number) user.get(2)).intValue() : unnumbered.of((String) user.get(1)));
            }
            return openState(query, dimension, partials, kinds, open, sql).flatMap(perDay -> {
                // more rows than an answer may hold (rows not merged yet): those days are read per group instead
                Map<LocalDate, Map<List<Object>, GroupUsers>> stated = perDay == null ? Map.of() : perDay;
                List<LocalDate> rest = open.stream().filter(day -> !stated.containsKey(day) || unnumberedDays.contains(day)).toList();
                if (allOpen && !rest.isEmpty()) {
                    return Uni.createFrom().<OpenDays>nullItem();
                }
                List<Map<List<Object>, GroupUsers>> parts = new ArrayList<>();
                stated.forEach((day, dayGroups) -> {
                    if (!rest.contains(day)) {
                        parts.add(dayGroups);
                    }
                });
                Uni<Map<List<Object>, GroupUsers>> read = rest.isEmpty() ? Uni.createFrom().item(Map.of())
                        : rollupGroups(query, partials, kinds, rest, unnumbered, sql);
                return read.map(fromRollup -> {
                    if (fromRollup == null) {
                        return null;
                    }
                    parts.add(fromRollup);
                    return new OpenDays(parts, firstUsers);
                });
            });
        });
    }

    /** The days' rollup rows per group, numbered users' ordinals as arrays (new ones flagged per group); null when too many. */
    private Uni<Map<List<Object>, GroupUsers>> rollupGroups(Query query, List<Partial> partials, List<Kind> kinds, List<LocalDate> days,
            Unnumbered unnumbered, SqlRows sql) {
        return bounded(compiler.groupsWithOrdinals(query, partials, kinds, days), sql).map(rows -> {
            if (rows == null) {
                return null;
            }
            Map<List<Object>, GroupUsers> groups = new LinkedHashMap<>();
            addGroups(query, partials, kinds, key -> groups.computeIfAbsent(key, k -> new GroupUsers()), rows, unnumbered);
            return groups;
        });
    }

    private static final Set<Partial> SESSION_PARTIALS = Set.of(Partial.SESSIONS, Partial.SESSION_SECONDS, Partial.BOUNCES);

    /** Whether the state of days not over yet holds these partials of the dimension: all but a user-side one's sessions. */
    private static boolean holdsOpenDays(DayStateDimension dimension, List<Partial> partials) {
        return !dimension.userSide() || partials.stream().noneMatch(SESSION_PARTIALS::contains);
    }

    /** The days of {@code open} with a state, each with its groups; null when more rows than an answer may hold. */
    private Uni<Map<LocalDate, Map<List<Object>, GroupUsers>>> openState(Query query, DayStateDimension dimension, List<Partial> partials,
            List<Kind> kinds, List<LocalDate> open, SqlRows sql) {
        List<Partial> sums = partials.stream().filter(p -> p.stateColumn().isPresent()).toList();
        QueryCompiler.Compiled state = compiler.openDayState(query, dimension.apiName(), kinds.stream().map(Kind::column).toList(),
                sums.stream().map(p -> p.stateColumn().orElseThrow()).toList(), open);
        // folded as the closed days' rows are: a base and the batches' shares of one value are ORed into one group
        return sql.collect(state.sql() + " LIMIT " + (maxRows + 1), state.params(), parts(query, dimension, kinds, sums, false, maxRows))
                .map(read -> read.map(days -> {
                    Map<LocalDate, Map<List<Object>, GroupUsers>> groups = new HashMap<>();
                    days.forEach((day, part) -> groups.put(day, part.groups()));
                    return groups;
                }).orElse(null));
    }

    /** A state row's bitmaps (from column 4, in {@code kinds}' order) ORed into the group, then its sums added. */
    private static void addState(GroupUsers group, List<Kind> kinds, List<Partial> sums, Row row) {
        for (int i = 0; i < kinds.size(); i++) {
            group.or(kinds.get(i), users(row.getBuffer(4 + i)));
        }
        for (int i = 0; i < sums.size(); i++) {
            group.add(sums.get(i), sum(row.getValue(4 + kinds.size() + i)));
        }
    }

    private static long rangeDays(LocalDate from, LocalDate to) {
        return java.time.temporal.ChronoUnit.DAYS.between(from, to) + 1;
    }

    /**
     * The parts of closed {@code days}: from their state where it holds, empty where quiet in a range without state
     * (QueryCompiler#quietDays), else from the rollup per user ({@code wholeRange}: they are all of the question's closed
     * days, none was cached).
     */
    private Uni<Map<LocalDate, DayPart>> days(Query query, DayStateDimension dimension, List<Partial> partials, boolean firstUsers,
            List<LocalDate> days, boolean wholeRange, Unnumbered unnumbered, SqlRows sql) {
        List<Kind> kinds = Stream.of(Kind.values()).filter(k -> k.neededFor(partials)).toList();
        List<Partial> sums = partials.stream().filter(p -> p.stateColumn().isPresent()).toList();
        QueryCompiler.Compiled state = compiler.dayState(query, dimension.apiName(), kinds.stream().map(Kind::column).toList(),
                sums.stream().map(p -> p.stateColumn().orElseThrow()).toList(), firstUsers, days);
        return sql.collect(state.sql() + " LIMIT " + (maxRows + 1), state.params(), parts(query, dimension, kinds, sums, firstUsers, maxRows))
                .flatMap(read -> {
            if (read.isEmpty()) {
                Map<LocalDate, DayPart> parts = new TreeMap<>();
                days.forEach(day -> parts.put(day, DayPart.UNANSWERED));
                return Uni.createFrom().item(parts);
            }
            Map<LocalDate, DayPart> parts = read.get();
            List<LocalDate> missing = days.stream().filter(d -> !parts.containsKey(d)).toList();
            if (missing.isEmpty()) {
                return Uni.createFrom().item(parts);
            }
            if (!parts.isEmpty() || missing.size() == 1 || !wholeRange) {
                return unbuilt(query, partials, firstUsers, parts, missing, unnumbered, sql);
            }
            // no state for any day of the range: aggregate's job off or not yet run, or quiet days, which have nothing to
            // answer (it builds no state before an app's first event, most of a new app's range: taken for unbuilt, they
            // sent every answer of it to the rollup path, per user; bench/RESULTS.md, issue 15). Quiet parts are not
            // kept: a kept one would hide from the next answer that no day of its range has state
            QueryCompiler.Compiled quiet = compiler.quietDays(query, missing);
            return sql.map(quiet.sql(), quiet.params(), row -> row.getLocalDate(0)).flatMap(empty -> {
                empty.forEach(day -> parts.put(day, new DayPart(new LinkedHashMap<>(), new RoaringBitmap(), true, false)));
                List<LocalDate> unbuilt = missing.stream().filter(d -> !parts.containsKey(d)).toList();
                if (unbuilt.size() > 1) {
                    // reading them per user here, then again on the rollup path for want of ordinals, would double the cost
                    unbuilt.forEach(day -> parts.put(day, DayPart.UNANSWERED));
                    return Uni.createFrom().item(parts);
                }
                return unbuilt.isEmpty() ? Uni.createFrom().item(parts) : unbuilt(query, partials, firstUsers, parts, unbuilt, unnumbered, sql);
            });
        });
    }

    /**
     * The rows of a statement of {@link QueryCompiler#dayState} folded, as they arrive, into each day's part (of the days
     * that have rows); empty past {@code maxRows} rows. No row is kept: a month by post at 10M events (58k rows) held
     * until the last had arrived, beside the parts built of them, was 147-177 ms of GC per uncached answer, 113-116
     * folded as they arrive (bench/RESULTS.md, session 29; at 1M it made no difference).
     */
    static Collector<Row, ?, Optional<Map<LocalDate, DayPart>>> parts(Query query, DayStateDimension dimension, List<Kind> kinds,
            List<Partial> sums, boolean firstUsers, int maxRows) {
        final class Read {
            final Map<LocalDate, DayPart> parts = new TreeMap<>();
            // one key per group across the days of a read: a month by post kept a list and a Long per day and post
            final Map<List<Object>, List<Object>> keys = new HashMap<>();
            int rows;

            void add(Row row) {
                if (++rows > maxRows) {
                    parts.clear();
                    return;
                }
                LocalDate day = row.getLocalDate(0);
                DayPart part = parts.computeIfAbsent(day, d -> DayPart.empty());
                if (row.getBoolean(1)) {
                    if (firstUsers) {
                        part.firstUsers().or(users(row.getBuffer(2)));
                    }
                    return;
                }
                List<Object> key = keys.computeIfAbsent(key(query, dimension, day, row.getString(3)), k -> k);
                addState(part.groups().computeIfAbsent(key, k -> new GroupUsers()), kinds, sums, row);
            }
        }
        return Collector.of(Read::new, Read::add, (a, b) -> {
            throw new IllegalStateException("a statement's rows are folded in the order they arrive, never in pieces");
        }, read -> read.rows > maxRows ? Optional.empty() : Optional.of(read.parts));
    }

    /** The parts of closed {@code missing} days that have no state, added to {@code parts}: read from the rollup per user. */
    private Uni<Map<LocalDate, DayPart>> unbuilt(Query query, List<Partial> partials, boolean firstUsers, Map<LocalDate, DayPart> parts,
            List<LocalDate> missing, Unnumbered unnumbered, SqlRows sql) {
        // one day without state is read per group and user and kept for the next answers; several (late events on
        // many days, faster than the job builds them) are read together, per group and user over all of them, in
        // the first one's part (a row per user and day would multiply the rows by the days, for parts the next late
        // event changes anyway): those are not kept
        boolean single = missing.size() == 1;
        Uni<List<List<Object>>> firstOfMissing = firstUsers ? bounded(compiler.firstUsers(query, missing), sql) : Uni.createFrom().item(List.of());
        return Uni.combine().all().unis(bounded(compiler.partialsWithOrdinals(query, partials, missing), sql), firstOfMissing).asTuple()
                .map(read -> {
                    if (read.getItem1() == null || read.getItem2() == null) {
                        missing.forEach(day -> parts.put(day, DayPart.UNANSWERED));
                        return parts;
                    }
                    boolean numbered = read.getItem1().stream().allMatch(r -> r.getLast() != null)
                            && read.getItem2().stream().allMatch(r -> r.get(2) != null);
                    Map<String, List<List<Object>>> firstByDay = read.getItem2().stream().collect(Collectors.groupingBy(r -> (String) r.get(0)));
                    for (LocalDate day : missing) {
                        DayPart part = new DayPart(new LinkedHashMap<>(), new RoaringBitmap(), true, single && numbered);
                        if (day.equals(missing.getFirst())) {
                            addUsers(query, partials, key -> part.groups().computeIfAbsent(key, k -> new GroupUsers()), read.getItem1(), unnumbered);
                        }
                        firstByDay.getOrDefault(day.toString(), List.of()).forEach(user -> part.firstUsers()
                                .add(user.get(2) != null ? ((Number) user.get(2)).intValue() : unnumbered.of((String) user.get(1))));
                        parts.put(day, part);
                    }
                    return parts;
                });
    }

    /** The rows, or null when there are more than max-rows: then the rollup path answers, as it would have. */
    private Uni<List<List<Object>>> bounded(QueryCompiler.Compiled compiled, SqlRows sql) {
        return sql.query(compiled.sql() + " LIMIT " + (maxRows + 1), compiled.params()).map(rows -> rows.size() > maxRows ? null : rows);
    }

    /**
     * Rows of d0..dn, user, partials, app, ordinal (partialsWithOrdinals) into the group
     * {@code groups} gives per key; {@code unnumbered} numbers users without an ordinal.
     */
    private static void addUsers(Query query, List<Partial> partials, Function<List<Object>, GroupUsers> groups, List<List<Object>> rows,
            Unnumbered unnumbered) {
        int dims = query.dimensions().size();
        for (List<Object> row : rows) {
            Object[] values = new Object[Partial.values().length];
            for (int i = 0; i < partials.size(); i++) {
                values[partials.get(i).ordinal()] = row.get(dims + 1 + i);
            }
            Object ordinal = row.getLast();
            int user = ordinal != null ? ((Number) ordinal).intValue() : unnumbered.of((String) row.get(dims));
            groups.apply(new ArrayList<>(row.subList(0, dims))).addUser(user, values);
        }
    }

    /**
     * Rows of groupsWithOrdinals into the group {@code groups} gives per key: a group's numbered users as bitmaps and
     * their totals, or a user without an ordinal, numbered by {@code unnumbered}.
     */
    private static void addGroups(Query query, List<Partial> partials, List<Kind> kinds, Function<List<Object>, GroupUsers> groups,
            List<List<Object>> rows, Unnumbered unnumbered) {
        int dims = query.dimensions().size();
        for (List<Object> row : rows) {
            List<Object> key = new ArrayList<>(row.subList(0, dims));
            if (row.get(dims) != null) {
                Object[] values = new Object[Partial.values().length];
                for (int i = 0; i < partials.size(); i++) {
                    values[partials.get(i).ordinal()] = row.get(dims + 1 + i);
                }
                groups.apply(key).addUser(unnumbered.of((String) row.get(dims)), values);
                continue;
            }
            GroupUsers group = groups.apply(key);
            int arrays = dims + 1 + partials.size();
            for (int i = 0; i < kinds.size(); i++) {
                group.or(kinds.get(i), ordinals(row.get(arrays + i)));
            }
            if (partials.contains(Partial.NEW)) {
                group.orNew(ordinals(row.get(arrays + kinds.size())));
            }
            for (int i = 0; i < partials.size(); i++) {
                if (partials.get(i) != Partial.NEW) {
                    group.add(partials.get(i), row.get(dims + 1 + i));
                }
            }
        }
    }

    /** An int[] column in order (null when no user had it) as a bitmap, added at once: one by one was the cost (JFR). */
    private static RoaringBitmap ordinals(Object array) {
        RoaringBitmap users = new RoaringBitmap();
        if (array != null) {
            Integer[] boxed = (Integer[]) array;
            int[] ordinals = new int[boxed.length];
            for (int i = 0; i < boxed.length; i++) {
                ordinals[i] = boxed[i];
            }
            users.addN(ordinals, 0, ordinals.length);
        }
        return users;
    }

    /** The group of a state row: each time dimension's bucket of its day, the value as the rollup's column gives it. */
    private static List<Object> key(Query query, DayStateDimension dimension, LocalDate day, String value) {
        List<Object> key = new ArrayList<>(query.dimensions().size());
        for (Dimension d : query.dimensions()) {
            key.add(d.isTime() ? label(d, day) : typed(dimension, value));
        }
        // shared by the days' parts of a read, which a cache keeps
        return Collections.unmodifiableList(key);
    }

    private static Object typed(DayStateDimension dimension, String value) {
        if (value == null) {
            return null;
        }
        return switch (dimension) {
            case USER_GENDER, USER_AGE, USER_EXP_GROUP -> Integer.valueOf(value);
            case POST_ID -> Long.valueOf(value);
            default -> value;
        };
    }

    private static String label(Dimension time, LocalDate day) {
        return switch (time) {
            case TIME_DAY -> day.toString();
            case TIME_WEEK -> day.with(TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY)).toString();
            default -> day.toString().substring(0, 7);
        };
    }

    /** Which first users count as new in a group of the query: those of its time bucket, or of the range without one. */
    private static String bucket(Query query, LocalDate day) {
        return query.timeDimension().map(time -> label(time, day)).orElse("");
    }

    private static String bucket(Query query, List<Object> key) {
        return query.timeDimension().map(time -> (String) key.get(query.dimensions().indexOf(time))).orElse("");
    }

    private static RoaringBitmap users(Buffer bytes) {
        return DayStateDimension.users(bytes.getBytes());
    }

    private static Object sum(Object value) {
        return value instanceof io.vertx.sqlclient.data.Numeric n ? n.bigDecimalValue() : value;
    }
}
