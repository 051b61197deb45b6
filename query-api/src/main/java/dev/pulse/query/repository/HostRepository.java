package dev.pulse.query.repository;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A host's month in host_activity_reduced: element i of each array is day i + 1 of the month. */
@ApplicationScoped
public class HostRepository {
    public record StoredMonth(List<Long> hits, List<Long> uniqueVisitors) {
    }

    private final SqlRows sql;

    public HostRepository(SqlRows sql) {
        this.sql = sql;
    }

    public Uni<Optional<StoredMonth>> month(String appId, String host, LocalDate monthStart) {
        return sql.map("""
                        SELECT hit_array, unique_visitors_array FROM host_activity_reduced
                        WHERE app_id = $1 AND host = $2 AND month_start = $3""",
                List.of(appId, host, monthStart),
                row -> new StoredMonth(Arrays.asList(row.getArrayOfLongs(0)), Arrays.asList(row.getArrayOfLongs(1))))
                .map(rows -> rows.stream().findFirst());
    }
}
