package dev.pulse.query.repository;

import dev.pulse.query.domain.DayQuality;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A day's data quality: live from day_quality(), and the daily close's snapshot in quality_snapshot_daily. */
@ApplicationScoped
public class QualityRepository {
    /** day_quality's row; the rate, freshness and completeness are null for a day without events. */
    public record Live(long accepted, long rejected, Map<String, Long> rejectedByReason, long duplicates, long late, long clockClamped,
            Double validationRate, Double freshnessP50, Double freshnessP99, Double completeness, long activeUsers) {
    }

    private final SqlRows sql;

    public QualityRepository(SqlRows sql) {
        this.sql = sql;
    }

    public Uni<Live> live(String appId, LocalDate day, ZoneId zone) {
        return sql.map("""
                        SELECT accepted, rejected, rejected_by_reason, duplicates, late, clock_clamped, validation_rate,
                               freshness_p50_seconds, freshness_p99_seconds, completeness, active_users
                        FROM day_quality($1, $2, $3)""", List.of(appId, day, zone.getId()),
                row -> {
                    Map<String, Long> byReason = new LinkedHashMap<>();
                    row.getJsonObject(2).forEach(reason -> byReason.put(reason.getKey(), ((Number) reason.getValue()).longValue()));
                    return new Live(row.getLong(0), row.getLong(1), byReason, row.getLong(3), row.getLong(4), row.getLong(5),
                            row.getDouble(6), row.getDouble(7), row.getDouble(8), row.getDouble(9), row.getLong(10));
                }).map(rows -> rows.get(0));
    }

    public Uni<Optional<DayQuality.Closed>> closed(String appId, LocalDate day) {
        return sql.map("""
                        SELECT closed_at::text, completeness, facts_consistent, repaired FROM quality_snapshot_daily
                        WHERE app_id = $1 AND event_date = $2""", List.of(appId, day),
                row -> new DayQuality.Closed(row.getString(0), row.getDouble(1), row.getBoolean(2), row.getBoolean(3)))
                .map(rows -> rows.stream().findFirst());
    }
}
