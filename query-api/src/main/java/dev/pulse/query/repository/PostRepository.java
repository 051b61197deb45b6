package dev.pulse.query.repository;

import dev.pulse.query.domain.PostDay;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * A post's facts (fact_daily_posts, post_daily_users). Both are keyed by day before post, so the days travel as an
 * array: PostgreSQL then descends the index once per day instead of reading every post of the range.
 */
@ApplicationScoped
public class PostRepository {
    /** A day's row with the sums its view-to-like average comes from, so that a range's average can be formed. */
    public record StoredDay(PostDay day, BigDecimal viewToLikeSum, long viewToLikeCount) {
    }

    /** Distinct users over a range. */
    public record Distinct(long viewers, long likers) {
    }

    private final SqlRows sql;

    public PostRepository(SqlRows sql) {
        this.sql = sql;
    }

    public Uni<List<StoredDay>> days(String appId, long postId, List<LocalDate> days) {
        return sql.map("""
                        SELECT event_date, views, unique_viewers, likes, unique_likers, avg_view_to_like_seconds, view_to_like_sum,
                               view_to_like_count
                        FROM fact_daily_posts WHERE app_id = $1 AND event_date = ANY ($2::date[]) AND post_id = $3""",
                List.of(appId, days.toArray(LocalDate[]::new), postId),
                row -> new StoredDay(PostDay.of(row.getLocalDate(0), row.getInteger(1), row.getInteger(2), row.getInteger(3),
                        row.getInteger(4), row.getDouble(5)), row.getBigDecimal(6), row.getInteger(7)));
    }

    public Uni<Distinct> distinctUsers(String appId, long postId, List<LocalDate> days) {
        return sql.map("""
                        SELECT count(DISTINCT user_id) FILTER (WHERE kind = 'v'), count(DISTINCT user_id) FILTER (WHERE kind = 'l')
                        FROM post_daily_users WHERE app_id = $1 AND event_date = ANY ($2::date[]) AND post_id = $3""",
                List.of(appId, days.toArray(LocalDate[]::new), postId),
                row -> new Distinct(row.getLong(0), row.getLong(1))).map(rows -> rows.get(0));
    }
}
