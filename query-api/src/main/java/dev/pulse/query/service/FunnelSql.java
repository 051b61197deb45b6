package dev.pulse.query.service;

import dev.pulse.query.domain.Funnel;

import java.util.ArrayList;
import java.util.List;

/** The SQL of a funnel over the raw store (alias {@code e}); every value the client sent travels as a parameter. */
final class FunnelSql {
    private FunnelSql() {
    }

    /**
     * One row per user with an event of some step: user_id, the events' times (epoch seconds, float8) and step
     * masks (bit k: the event matches step k; bit 0 only on the days the first step may fall on) in time order,
     * then, with a breakdown, its value on each event. Steps may end a window after the range's last day.
     */
    static QueryCompiler.Compiled eventsPerUser(Funnel funnel) {
        long windowDays = FunnelService.windowDays(funnel);
        Binds binds = new Binds();
        String app = binds.bind(funnel.app().appId());
        String from = binds.bind(funnel.from());
        // a local day may be 25 hours long: one more day covers the window's end in any timezone
        String through = binds.bind(funnel.to().plusDays(windowDays + 1));
        String lastFirstDay = binds.bind(funnel.to());
        String events = binds.bind(funnel.steps().stream().map(Funnel.Step::event).distinct().toArray(String[]::new));
        List<String> bits = new ArrayList<>();
        for (int k = 0; k < funnel.steps().size(); k++) {
            Funnel.Step step = funnel.steps().get(k);
            String condition = "e.event = " + binds.bind(step.event()) + (k == 0 ? " AND e.event_date <= " + lastFirstDay : "")
                    + FilterSql.conditions(step.filters(), binds);
            bits.add("CASE WHEN " + condition + " THEN " + (1 << k) + " ELSE 0 END");
        }
        String order = " ORDER BY e.ts, e.event_id)";
        String breakdown = funnel.breakdown() == null ? "" : ", (" + funnel.breakdown().sql() + ")::text AS g";
        String sql = "SELECT e.user_id, array_agg(e.ts" + order + ", array_agg(e.mask" + order
                + (funnel.breakdown() == null ? "" : ", array_agg(e.g" + order)
                + " FROM (SELECT e.user_id, e.event_id, extract(epoch FROM e.event_ts)::float8 AS ts, ("
                + String.join(" + ", bits) + ") AS mask" + breakdown
                + " FROM " + Sources.of("events", firstSeen(funnel)) + " e WHERE e.app_id = " + app
                + " AND e.event_date BETWEEN " + from + " AND " + through + " AND e.event = ANY(" + events + "::text[])) e"
                + " WHERE e.mask > 0 GROUP BY e.user_id";
        return new QueryCompiler.Compiled(sql, binds.values());
    }

    private static boolean firstSeen(Funnel funnel) {
        return Sources.needsFirstSeen(funnel.breakdown() == null ? List.of() : List.of(funnel.breakdown()),
                funnel.steps().stream().flatMap(step -> step.filters().stream()).toList());
    }
}
