package dev.pulse.aggregate.repository;

import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Tells query-api's closed-day cache that an app's past changed: late events bump the app's version. */
@ApplicationScoped
public class ClosedDayVersionRepository {

    /** Bumps the apps that received late events (events of a day that had ended). */
    public Uni<Void> bump(SqlConnection connection, List<EnrichedEvent> fresh) {
        Set<String> apps = new TreeSet<>();
        fresh.stream().filter(EnrichedEvent::late).forEach(e -> apps.add(e.appId()));
        return bump(connection, apps);
    }

    public Uni<Void> bump(SqlConnection connection, Set<String> apps) {
        if (apps.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("""
                        INSERT INTO closed_day_versions AS v (app_id, version) SELECT a, 1 FROM unnest($1::text[]) AS a
                        ON CONFLICT (app_id) DO UPDATE SET version = v.version + 1""")
                .execute(Tuple.of(apps.toArray(String[]::new))).replaceWithVoid();
    }
}
