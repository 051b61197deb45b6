package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.HostActivity;
import dev.pulse.query.repository.HostRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.YearMonth;
import java.util.Collections;
import java.util.List;

/** A host's month, every day of it present: zeros for a month the host had no hits in. */
@ApplicationScoped
public class HostService {
    private final HostRepository repository;

    public HostService(HostRepository repository) {
        this.repository = repository;
    }

    public Uni<HostActivity> activity(App app, String host, YearMonth month) {
        return repository.month(app.appId(), host, month.atDay(1)).map(stored -> {
            List<Long> zeros = Collections.nCopies(month.lengthOfMonth(), 0L);
            return new HostActivity(app.appId(), host, month.toString(), stored.map(HostRepository.StoredMonth::hits).orElse(zeros),
                    stored.map(HostRepository.StoredMonth::uniqueVisitors).orElse(zeros));
        });
    }
}
