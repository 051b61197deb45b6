package dev.pulse.query.repository;

import dev.pulse.query.domain.ContentDay;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** A content item's facts (fact_content_engagement_daily summed over devices, content_daily_players) and catalog entry. */
@ApplicationScoped
public class ContentRepository {
    /** A day's sums, from which its figures and a range's follow. */
    public record StoredDay(LocalDate date, long plays, long players, long events, double engagementSeconds, double pctSum,
            long pctCount) {
    }

    public record CatalogEntry(String title, String contentType, Integer lengthSeconds) {
    }

    private final SqlRows sql;

    public ContentRepository(SqlRows sql) {
        this.sql = sql;
    }

    /** fact_content_engagement_daily is keyed by day before content: one index descent per day of the array. */
    public Uni<List<StoredDay>> days(String appId, String contentId, List<LocalDate> days) {
        return sql.map("""
                        SELECT f.event_date, f.plays, coalesce(p.players, 0), f.events, f.seconds, f.pct_sum, f.pct_count
                        FROM (SELECT event_date, sum(plays) AS plays, sum(events) AS events, sum(engagement_seconds) AS seconds,
                                     sum(engagement_pct_sum) AS pct_sum, sum(engagement_pct_count) AS pct_count
                              FROM fact_content_engagement_daily
                              WHERE app_id = $1 AND event_date = ANY ($2::date[]) AND content_id = $3 GROUP BY 1) f
                        LEFT JOIN (SELECT event_date, count(*) AS players FROM content_daily_players
                                   WHERE app_id = $1 AND content_id = $3 AND event_date = ANY ($2::date[]) GROUP BY 1) p USING (event_date)""",
                List.of(appId, days.toArray(LocalDate[]::new), contentId),
                row -> new StoredDay(row.getLocalDate(0), row.getLong(1), row.getLong(2), row.getLong(3), row.getDouble(4),
                        row.getDouble(5), row.getLong(6)));
    }

    public Uni<Long> distinctPlayers(String appId, String contentId, LocalDate from, LocalDate to) {
        return sql.map("""
                        SELECT count(DISTINCT user_id) FROM content_daily_players
                        WHERE app_id = $1 AND content_id = $2 AND event_date BETWEEN $3 AND $4""",
                List.of(appId, contentId, from, to), row -> row.getLong(0)).map(rows -> rows.get(0));
    }

    public Uni<Optional<CatalogEntry>> catalog(String appId, String contentId) {
        return sql.map("SELECT title, content_type, length_seconds FROM dim_content WHERE app_id = $1 AND content_id = $2",
                List.of(appId, contentId), row -> new CatalogEntry(row.getString(0), row.getString(1), row.getInteger(2)))
                .map(rows -> rows.stream().findFirst());
    }
}
