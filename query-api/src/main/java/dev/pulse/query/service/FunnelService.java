package dev.pulse.query.service;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.Funnel;
import dev.pulse.query.domain.FunnelPath;
import dev.pulse.query.domain.FunnelResponse;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers a funnel from the raw store: each user's events of the steps, in time order, are read as one row
 * (times and a bit mask of the steps each event matches) and the user's best attempt is found in
 * {@link FunnelPath}; nothing is cached, so late events count as soon as they are stored.
 */
@ApplicationScoped
public class FunnelService {
    private final SqlRows sql;
    private final QueryConfig config;

    public FunnelService(SqlRows sql, QueryConfig config) {
        this.sql = sql;
        this.config = config;
    }

    public Uni<List<FunnelResponse.Group>> run(Funnel funnel) {
        QueryCompiler.Compiled compiled = FunnelSql.eventsPerUser(funnel);
        int max = config.maxRows();
        return sql.query(compiled.sql() + " LIMIT " + (max + 1), compiled.params()).map(rows -> {
            if (rows.size() > max) {
                throw InputLimits.bad("more than " + max + " users have events of these steps: narrow it (fewer days, a filter)", "date_range");
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
            List<String> events = funnel.steps().stream().map(Funnel.Step::event).toList();
            List<FunnelResponse.Group> groups = new ArrayList<>();
            byGroup.forEach((group, paths) -> groups.add(new FunnelResponse.Group(group, FunnelFigures.of(paths, events))));
            // the biggest groups first, then by value (null last), for stable answers
            groups.sort(Comparator.<FunnelResponse.Group>comparingLong(g -> -g.steps().get(0).users())
                    .thenComparing(FunnelResponse.Group::breakdownValue, Comparator.nullsLast(Comparator.naturalOrder())));
            return groups;
        });
    }
}
