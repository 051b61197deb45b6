package dev.pulse.query.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
import dev.pulse.query.repository.ClosedDayVersionRepository;
import dev.pulse.query.repository.ClosedDayVersionRepository.Versions;
import dev.pulse.query.repository.EventTimesRepository;
import dev.pulse.query.repository.EventTimesRepository.EventWeek;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The funnels' state of closed weeks, held between funnels: a week whose days are all over changes only when
 * aggregate-service stores events for one of its days, which bumps that day's counter, or changes the app's past,
 * which bumps its version (see {@link ClosedDayCache}); a week's state is held per event name, all of its users (so
 * any funnel over it is served), with the versions it was read under, and read again when they differ. Bounded in
 * bytes: one week of one name may take a quarter of the bound, one funnel holds at most the bound.
 */
@ApplicationScoped
public class FunnelStateCache {
    private record Key(String appId, String event, LocalDate week) {
    }

    private record Held(Versions versions, EventWeek week) {
    }

    /** Per event name, the state of the first {@code weeks} closed weeks, in order. */
    public record HeldWeeks(Map<String, List<EventWeek>> byEvent, int weeks) {
        static final HeldWeeks NONE = new HeldWeeks(Map.of(), 0);
    }

    private final EventTimesRepository eventTimes;
    private final ClosedDayVersionRepository versions;
    private final ClosedDayCache closedDays;
    private final QueryConfig config;
    private final Cache<Key, Held> held;

    public FunnelStateCache(EventTimesRepository eventTimes, ClosedDayVersionRepository versions, ClosedDayCache closedDays, QueryConfig config) {
        this.eventTimes = eventTimes;
        this.versions = versions;
        this.closedDays = closedDays;
        this.config = config;
        this.held = Caffeine.newBuilder().maximumWeight(config.cache().funnelStateBytes())
                .<Key, Held>weigher((key, value) -> (int) Math.min(Integer.MAX_VALUE, 64 + value.week().bytes()))
                .expireAfterWrite(config.cache().ttl()).build();
    }

    /** The weeks from {@code firstWeek} through {@code lastWeek} whose days are all over: the first ones. */
    public List<LocalDate> closedWeeks(App app, LocalDate firstWeek, LocalDate lastWeek) {
        List<LocalDate> closed = new ArrayList<>();
        if (config.cache().funnelStateBytes() == 0) {
            return closed;
        }
        LocalDate lastClosedDay = closedDays.lastClosedDay(app);
        for (LocalDate week = firstWeek; !week.isAfter(lastWeek) && !week.plusDays(6).isAfter(lastClosedDay); week = week.plusWeeks(1)) {
            closed.add(week);
        }
        return closed;
    }

    /**
     * The state of {@code events} in as many of the {@code closed} weeks as can be held, from the first on, read on
     * {@code server}: it stops before a week with a name of more users than a question may hold or of more bytes than a
     * quarter of the bound, and before a week that would take the funnel past the bound. The caller reads the weeks
     * after them user by user.
     */
    public Uni<HeldWeeks> weeks(SqlRows server, App app, List<String> events, List<LocalDate> closed) {
        if (closed.isEmpty()) {
            return Uni.createFrom().item(HeldWeeks.NONE);
        }
        return versions.weeks(server, app.appId(), closed.get(0), closed.get(closed.size() - 1)).flatMap(weekVersions -> {
            Map<String, List<EventWeek>> byEvent = new HashMap<>();
            long[] bytes = {0};
            Uni<Integer> count = Uni.createFrom().item(0);
            for (LocalDate week : closed) {
                count = count.flatMap(sofar -> sofar < closed.indexOf(week)
                        ? Uni.createFrom().item(sofar)
                        : week(server, app, events, week, weekVersions.get(week)).map(names -> {
                            long weekBytes = names == null ? 0 : names.values().stream().mapToLong(EventWeek::bytes).sum();
                            if (names == null || bytes[0] + weekBytes > config.cache().funnelStateBytes()) {
                                return sofar;
                            }
                            names.forEach((event, state) -> byEvent.computeIfAbsent(event, e -> new ArrayList<>()).add(state));
                            bytes[0] += weekBytes;
                            return sofar + 1;
                        }));
            }
            return count.map(weeks -> new HeldWeeks(byEvent, weeks));
        });
    }

    /** Each name's state in one week, or null when one of them is too big to hold. */
    private Uni<Map<String, EventWeek>> week(SqlRows server, App app, List<String> events, LocalDate week, Versions weekVersions) {
        Map<String, EventWeek> names = new HashMap<>();
        Uni<Boolean> complete = Uni.createFrom().item(true);
        for (String event : events) {
            complete = complete.flatMap(sofar -> !sofar ? Uni.createFrom().item(false) : name(server, new Key(app.appId(), event, week), weekVersions)
                    .map(state -> {
                        names.put(event, state);
                        return state.complete();
                    }));
        }
        return complete.map(all -> all ? names : null);
    }

    private Uni<EventWeek> name(SqlRows server, Key key, Versions weekVersions) {
        Held known = held.getIfPresent(key);
        // a week only gains rows while the app's version stays: one too big stays too big, and is not read in full again
        if (known != null && (known.versions().equals(weekVersions) || !known.week().complete() && known.versions().app() == weekVersions.app())) {
            return Uni.createFrom().item(known.week());
        }
        return eventTimes.week(server, key.appId(), key.event(), key.week(), config.maxRows(), config.cache().funnelStateBytes() / 4)
                .invoke(state -> held.put(key, new Held(weekVersions, state)));
    }
}
