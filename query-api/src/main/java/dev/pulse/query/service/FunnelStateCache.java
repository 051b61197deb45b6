package dev.pulse.query.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
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
 * The funnels' state of closed weeks, held between funnels: a week whose days are all over changes only through
 * late events, which bump those days' counters, or through changes of the app's past, which bump its version (see
 * {@link ClosedDayCache}); a week is kept under those versions, one entry per event name, all of its users (so any
 * funnel over it is served), bounded in bytes. A week with more users than a question may hold is remembered as
 * such and read user by user instead.
 */
@ApplicationScoped
public class FunnelStateCache {
    private record Key(String appId, String event, LocalDate week, ClosedDayCache.Versions versions) {
    }

    private final EventTimesRepository eventTimes;
    private final ClosedDayCache closedDays;
    private final QueryConfig config;
    private final Cache<Key, EventWeek> weeks;

    public FunnelStateCache(EventTimesRepository eventTimes, ClosedDayCache closedDays, QueryConfig config) {
        this.eventTimes = eventTimes;
        this.closedDays = closedDays;
        this.config = config;
        this.weeks = Caffeine.newBuilder().maximumWeight(config.cache().funnelStateBytes())
                .<Key, EventWeek>weigher((key, week) -> (int) Math.min(Integer.MAX_VALUE, 64 + week.bytes()))
                .expireAfterWrite(config.cache().ttl()).build();
    }

    /** The weeks of the app's funnel state that are over, from its first week on: those after it are open. */
    public List<LocalDate> closedWeeks(App app, LocalDate firstWeek, LocalDate lastWeek) {
        List<LocalDate> closed = new ArrayList<>();
        LocalDate lastClosedDay = closedDays.lastClosedDay(app);
        for (LocalDate week = firstWeek; !week.isAfter(lastWeek) && !week.plusDays(6).isAfter(lastClosedDay) && config.cache().funnelStateBytes() > 0;
                week = week.plusWeeks(1)) {
            closed.add(week);
        }
        return closed;
    }

    /**
     * Per event name, its state in each of {@code closed} (in order), read on {@code server}; null when a week has
     * more users than a question may hold.
     */
    public Uni<Map<String, List<EventWeek>>> weeks(SqlRows server, App app, List<String> events, List<LocalDate> closed) {
        Uni<Map<String, List<EventWeek>>> result = Uni.createFrom().item(new HashMap<>());
        for (LocalDate week : closed) {
            result = result.flatMap(byEvent -> byEvent == null ? Uni.createFrom().nullItem()
                    : closedDays.versions(server, app, week, week.plusDays(6)).flatMap(versions -> {
                        Uni<Map<String, List<EventWeek>>> withWeek = Uni.createFrom().item(byEvent);
                        for (String event : events) {
                            withWeek = withWeek.flatMap(sofar -> sofar == null ? Uni.createFrom().nullItem()
                                    : week(server, new Key(app.appId(), event, week, versions)).map(state -> {
                                        if (!state.complete()) {
                                            return null;
                                        }
                                        sofar.computeIfAbsent(event, e -> new ArrayList<>()).add(state);
                                        return sofar;
                                    }));
                        }
                        return withWeek;
                    }));
        }
        return result;
    }

    private Uni<EventWeek> week(SqlRows server, Key key) {
        EventWeek cached = weeks.getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return eventTimes.week(server, key.appId(), key.event(), key.week(), config.maxRows()).invoke(state -> weeks.put(key, state));
    }
}
