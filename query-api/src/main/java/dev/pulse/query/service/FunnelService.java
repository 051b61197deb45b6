package dev.pulse.query.service;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.Funnel;
import dev.pulse.query.domain.FunnelPath;
import dev.pulse.query.domain.FunnelResponse;
import dev.pulse.query.repository.EventTimesRepository;
import dev.pulse.query.repository.EventTimesRepository.WeekTimes;
import dev.pulse.query.repository.SqlRows;
import dev.pulse.schema.EventTimes;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collector;
import java.util.stream.Stream;

/**
 * Answers a funnel from each user's events of its steps, in time order, and the user's best attempt found by
 * {@link FunnelPath}. Steps without filters and no breakdown read the compact state aggregate-service keeps
 * (user_event_times: the times per user, event name and week; its closed weeks held between funnels until events
 * stored for one of their days bump it, {@link FunnelStateCache}); filters and breakdowns need each event's other
 * columns, so those funnels read the raw store (one row per user: times and a bit mask of the steps each event
 * matches). No answer is cached: late events count as soon as they are stored.
 */
@ApplicationScoped
public class FunnelService {
    private final SqlRows sql;
    private final EventTimesRepository eventTimes;
    private final FunnelStateCache stateCache;
    private final QueryConfig config;

    public FunnelService(SqlRows sql, EventTimesRepository eventTimes, FunnelStateCache stateCache, QueryConfig config) {
        this.sql = sql;
        this.eventTimes = eventTimes;
        this.stateCache = stateCache;
        this.config = config;
    }

    public Uni<List<FunnelResponse.Group>> run(Funnel funnel) {
        boolean fromState = funnel.breakdown() == null && funnel.steps().stream().allMatch(step -> step.filters().isEmpty());
        Uni<Map<String, List<FunnelPath>>> paths = fromState
                // a user with too many times of a step's event in a week has no state there: the raw store answers
                ? pathsFromState(funnel).flatMap(fromTimes -> fromTimes == null ? pathsFromRawStore(funnel) : Uni.createFrom().item(fromTimes))
                : pathsFromRawStore(funnel);
        return paths.map(byGroup -> groups(funnel, byGroup));
    }

    /** The paths from user_event_times, or null when a row of it was given up for holding too many times. */
    private Uni<Map<String, List<FunnelPath>>> pathsFromState(Funnel funnel) {
        List<String> names = funnel.steps().stream().map(Funnel.Step::event).distinct().toList();
        ZoneId zone = funnel.app().zone();
        long firstFrom = EventTimes.dayStart(funnel.from(), zone);
        long firstUntil = EventTimes.dayStart(funnel.to().plusDays(1), zone);
        // as the raw store's read: a local day may be 25 hours long, one more day covers the window's end
        LocalDate through = funnel.to().plusDays(windowDays(funnel) + 1);
        LocalDate firstWeek = EventTimes.weekStart(funnel.from());
        LocalDate lastWeek = EventTimes.weekStart(through);
        List<LocalDate> firstStepWeeks = firstWeek.datesUntil(EventTimes.weekStart(funnel.to()).plusDays(1), Period.ofWeeks(1)).toList();
        List<LocalDate> closed = stateCache.closedWeeks(funnel.app(), firstWeek, lastWeek);
        // every read on one server: the open weeks' rows are at least as new as the users read before them; held
        // weeks are at least as new as the versions they were read under (on another server, maybe newer)
        return sql.onOneServer(server -> eventTimes.users(server, funnel.app().appId(), funnel.steps().get(0).event(), firstStepWeeks,
                        config.maxRows() + 1L)
                .flatMap(users -> {
                    // only users with the first step's event in the range can enter: the others' rows are not read
                    if (users.size() > config.maxRows()) {
                        throw tooManyUsers();
                    }
                    return stateCache.weeks(server, funnel.app(), names, closed).flatMap(held -> {
                        Collector<WeekTimes, ?, StatePaths> fold = StatePaths.of(funnel, firstFrom, firstUntil, held.byEvent(), users);
                        LocalDate firstRead = firstWeek.plusWeeks(held.weeks());
                        return firstRead.isAfter(lastWeek) ? Uni.createFrom().item(Stream.<WeekTimes>empty().collect(fold))
                                : eventTimes.weeks(server, funnel.app().appId(), users, names, firstRead, lastWeek, fold);
                    });
                }))
                .map(state -> {
                    if (state.givenUp()) {
                        return null;
                    }
                    Map<String, List<FunnelPath>> byGroup = new HashMap<>();
                    byGroup.put(null, state.paths());
                    return byGroup;
                });
    }

    private Uni<Map<String, List<FunnelPath>>> pathsFromRawStore(Funnel funnel) {
        QueryCompiler.Compiled compiled = FunnelSql.eventsPerUser(funnel);
        return sql.query(compiled.sql() + " LIMIT " + (config.maxRows() + 1), compiled.params()).map(rows -> {
            if (rows.size() > config.maxRows()) {
                throw tooManyUsers();
            }
            double window = funnel.window().toSeconds();
            Map<String, List<FunnelPath>> byGroup = new HashMap<>();
            for (List<Object> row : rows) {
                Object[] times = (Object[]) row.get(1);
                Object[] masks = (Object[]) row.get(2);
                double[] ts = new double[times.length];
                int[] bits = new int[masks.length];
                for (int i = 0; i < ts.length; i++) {
                    ts[i] = ((Number) times[i]).doubleValue();
                    bits[i] = ((Number) masks[i]).intValue();
                }
                String[] groups = funnel.breakdown() == null ? null : java.util.Arrays.copyOf((Object[]) row.get(3), times.length, String[].class);
                FunnelPath path = FunnelPath.best(ts, bits, groups, funnel.steps().size(), window);
                if (path != null) {
                    byGroup.computeIfAbsent(path.group(), g -> new ArrayList<>()).add(path);
                }
            }
            if (funnel.breakdown() == null && byGroup.isEmpty()) {
                byGroup.put(null, List.of());
            }
            return byGroup;
        });
    }

    private RuntimeException tooManyUsers() {
        return InputLimits.bad("more than " + config.maxRows() + " users have events of these steps: narrow it (fewer days, a filter)", "date_range");
    }

    private static List<FunnelResponse.Group> groups(Funnel funnel, Map<String, List<FunnelPath>> byGroup) {
        List<String> events = funnel.steps().stream().map(Funnel.Step::event).toList();
        List<FunnelResponse.Group> groups = new ArrayList<>();
        byGroup.forEach((group, paths) -> groups.add(new FunnelResponse.Group(group, FunnelFigures.of(paths, events))));
        // the biggest groups first, then by value (null last), for stable answers
        groups.sort(Comparator.<FunnelResponse.Group>comparingLong(g -> -g.steps().get(0).users())
                .thenComparing(FunnelResponse.Group::breakdownValue, Comparator.nullsLast(Comparator.naturalOrder())));
        return groups;
    }

    static long windowDays(Funnel funnel) {
        return (funnel.window().toSeconds() + 86_399) / 86_400;
    }
}
