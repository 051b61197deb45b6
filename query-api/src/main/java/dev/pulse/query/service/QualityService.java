package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.DayQuality;
import dev.pulse.query.repository.QualityRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;

/** A day's data quality: the live figures, and the daily close's snapshot once the day has ended in the app's timezone. */
@ApplicationScoped
public class QualityService {
    private final QualityRepository repository;

    public QualityService(QualityRepository repository) {
        this.repository = repository;
    }

    public Uni<DayQuality> day(App app, LocalDate day) {
        return Uni.combine().all().unis(repository.live(app.appId(), day, app.zone()), repository.closed(app.appId(), day)).asTuple().map(found -> {
            QualityRepository.Live q = found.getItem1();
            return new DayQuality(app.appId(), day, q.accepted(), q.rejected(), q.rejectedByReason(), q.duplicates(), q.late(), q.clockClamped(),
                    q.validationRate() == null ? null : Math.round(10_000.0 * q.validationRate()) / 10_000.0,
                    new DayQuality.Freshness(q.freshnessP50() == null ? 0.0 : q.freshnessP50(), q.freshnessP99() == null ? 0.0 : q.freshnessP99()),
                    q.completeness(), q.activeUsers(), found.getItem2().orElse(null));
        });
    }
}
