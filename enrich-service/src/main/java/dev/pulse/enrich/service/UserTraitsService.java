package dev.pulse.enrich.service;

import dev.pulse.contract.UserTraits;
import dev.pulse.enrich.domain.AcceptedEvent;
import dev.pulse.enrich.domain.TraitChange;
import dev.pulse.enrich.domain.UserKey;
import dev.pulse.enrich.repository.UserTraitsRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * SPEC §3 traits: an event's {@code user} object updates the user's traits (fields it leaves out keep their
 * value), and every event leaves with the traits its user has at that moment, in stream order.
 */
@ApplicationScoped
public class UserTraitsService {
    private final UserTraitsRepository repository;

    public UserTraitsService(UserTraitsRepository repository) {
        this.repository = repository;
    }

    /**
     * @return the traits of each event, aligned with {@code events}; trait changes are stored as new SCD2 versions.
     * The batch may be one read again after its Kafka transaction failed: it starts from the traits as they stood
     * before its first record of each partition, and the versions its records wrote then are not written again.
     */
    public Uni<List<UserTraits>> attach(List<AcceptedEvent> events) {
        Set<UserKey> users = events.stream().map(e -> new UserKey(e.appId(), e.event().userId())).collect(Collectors.toSet());
        Map<Integer, Long> firstOffsets = new HashMap<>();
        events.forEach(e -> firstOffsets.merge(e.source().partition(), e.source().offset(), Math::min));
        return repository.before(users, firstOffsets).flatMap(current -> {
            Map<UserKey, UserTraits> state = new HashMap<>(current);
            List<UserTraits> attached = new ArrayList<>(events.size());
            List<TraitChange> changes = new ArrayList<>();
            for (AcceptedEvent event : events) {
                UserKey user = new UserKey(event.appId(), event.event().userId());
                UserTraits before = state.getOrDefault(user, UserTraits.NONE);
                UserTraits after = merge(before, event.event().user());
                if (!after.equals(before)) {
                    changes.add(new TraitChange(user.appId(), user.userId(), after, event.event().timestamp(), event.source()));
                    state.put(user, after);
                }
                attached.add(after);
            }
            return repository.apply(changes).replaceWith(attached);
        });
    }

    static UserTraits merge(UserTraits base, UserTraits update) {
        if (update == null) {
            return base;
        }
        return new UserTraits(
                update.gender() != null ? update.gender() : base.gender(),
                update.age() != null ? update.age() : base.age(),
                update.os() != null ? update.os() : base.os(),
                update.source() != null ? update.source() : base.source(),
                update.country() != null ? update.country() : base.country(),
                update.city() != null ? update.city() : base.city(),
                update.expGroup() != null ? update.expGroup() : base.expGroup());
    }
}
