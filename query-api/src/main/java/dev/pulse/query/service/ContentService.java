package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.ContentDay;
import dev.pulse.query.domain.ContentReport;
import dev.pulse.query.repository.ContentRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A content item's days, every day of the range present (zeros where nothing happened), their totals and its catalog entry. */
@ApplicationScoped
public class ContentService {
    private final ContentRepository repository;

    public ContentService(ContentRepository repository) {
        this.repository = repository;
    }

    public Uni<ContentReport> report(App app, String contentId, List<LocalDate> days) {
        LocalDate from = days.get(0);
        LocalDate to = days.get(days.size() - 1);
        return Uni.combine().all().unis(repository.days(app.appId(), contentId, days),
                        repository.distinctPlayers(app.appId(), contentId, from, to), repository.catalog(app.appId(), contentId))
                .asTuple().map(found -> {
                    Map<LocalDate, ContentRepository.StoredDay> byDay = found.getItem1().stream()
                            .collect(Collectors.toMap(ContentRepository.StoredDay::date, Function.identity()));
                    long plays = 0;
                    long events = 0;
                    double seconds = 0;
                    double pctSum = 0;
                    long pctCount = 0;
                    for (ContentRepository.StoredDay d : byDay.values()) {
                        plays += d.plays();
                        events += d.events();
                        seconds += d.engagementSeconds();
                        pctSum += d.pctSum();
                        pctCount += d.pctCount();
                    }
                    ContentDay totals = new ContentDay(null, plays, found.getItem2(), events, seconds, average(pctSum, pctCount));
                    List<ContentDay> series = days.stream().map(day -> {
                        ContentRepository.StoredDay d = byDay.get(day);
                        return d == null ? new ContentDay(day, 0, 0, 0, 0, null)
                                : new ContentDay(day, d.plays(), d.players(), d.events(), d.engagementSeconds(), average(d.pctSum(), d.pctCount()));
                    }).toList();
                    ContentRepository.CatalogEntry entry = found.getItem3().orElse(new ContentRepository.CatalogEntry(null, null, null));
                    return new ContentReport(app.appId(), contentId, entry.title(), entry.contentType(), entry.lengthSeconds(), from, to,
                            totals, series);
                });
    }

    /** The mean share, to 4 decimal places like /v1/query's avg_engagement_pct; null without a known length. */
    private static BigDecimal average(double sum, long count) {
        return count == 0 ? null : new BigDecimal(sum / count).round(new MathContext(15)).setScale(4, RoundingMode.HALF_UP);
    }
}
