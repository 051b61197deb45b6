package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.PostDay;
import dev.pulse.query.domain.PostReport;
import dev.pulse.query.repository.PostRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A post's days from fact_daily_posts, every day of the range present (zeros where nothing happened), and their totals. */
@ApplicationScoped
public class PostService {
    private final PostRepository repository;

    public PostService(PostRepository repository) {
        this.repository = repository;
    }

    public Uni<PostReport> report(App app, long postId, List<LocalDate> days) {
        return Uni.combine().all().unis(repository.days(app.appId(), postId, days), repository.distinctUsers(app.appId(), postId, days))
                .asTuple().map(found -> {
                    Map<LocalDate, PostRepository.StoredDay> byDay = found.getItem1().stream()
                            .collect(Collectors.toMap(d -> d.day().date(), Function.identity()));
                    long views = 0;
                    long likes = 0;
                    BigDecimal viewToLike = BigDecimal.ZERO;
                    long viewToLikeCount = 0;
                    for (PostRepository.StoredDay d : byDay.values()) {
                        views += d.day().views();
                        likes += d.day().likes();
                        viewToLike = viewToLike.add(d.viewToLikeSum());
                        viewToLikeCount += d.viewToLikeCount();
                    }
                    PostDay totals = PostDay.of(null, views, found.getItem2().viewers(), likes, found.getItem2().likers(),
                            viewToLikeCount == 0 ? null : viewToLike.divide(BigDecimal.valueOf(viewToLikeCount), MathContext.DECIMAL64).doubleValue());
                    List<PostDay> series = days.stream().map(day -> byDay.containsKey(day) ? byDay.get(day).day()
                            : PostDay.of(day, 0, 0, 0, 0, null)).toList();
                    return new PostReport(app.appId(), postId, days.get(0), days.get(days.size() - 1), totals, series);
                });
    }
}
