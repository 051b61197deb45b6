package dev.pulse.enrich.service;

import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import dev.pulse.contract.UserTraits;
import dev.pulse.enrich.domain.AcceptedEvent;
import dev.pulse.enrich.domain.AppSettings;
import dev.pulse.enrich.domain.ContentKey;
import dev.pulse.enrich.domain.DroppedResend;
import dev.pulse.enrich.domain.EnrichedBatch;
import dev.pulse.enrich.domain.RejectedRecord;
import dev.pulse.enrich.domain.SourcePosition;
import dev.pulse.enrich.repository.DedupRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One batch of events.raw, start to end: validate again, drop resends, attach traits and content, enrich.
 * Every lookup is one query per batch, never one per event.
 */
@ApplicationScoped
public class EnrichmentService {
    private final RawRecordParser parser;
    private final AppDirectory apps;
    private final DedupRepository dedup;
    private final UserTraitsService traits;
    private final ContentCatalog catalog;
    private final EventEnricher enricher;

    public EnrichmentService(RawRecordParser parser, AppDirectory apps, DedupRepository dedup, UserTraitsService traits,
            ContentCatalog catalog, EventEnricher enricher) {
        this.parser = parser;
        this.apps = apps;
        this.dedup = dedup;
        this.traits = traits;
        this.catalog = catalog;
        this.enricher = enricher;
    }

    public record Input(String value, SourcePosition source) {
    }

    public Uni<EnrichedBatch> process(List<Input> records) {
        List<AcceptedEvent> parsed = new ArrayList<>();
        List<RejectedRecord> rejected = new ArrayList<>();
        for (Input record : records) {
            switch (parser.parse(record.value(), record.source())) {
                case AcceptedEvent accepted -> parsed.add(accepted);
                case RejectedRecord rejectedRecord -> rejected.add(rejectedRecord);
                default -> throw new IllegalStateException("parser answered neither accepted nor rejected");
            }
        }
        Set<String> appIds = parsed.stream().map(AcceptedEvent::appId).collect(Collectors.toSet());
        return apps.find(appIds).flatMap(known -> {
            List<AcceptedEvent> ofKnownApps = new ArrayList<>();
            for (AcceptedEvent event : parsed) {
                if (known.containsKey(event.appId())) {
                    ofKnownApps.add(event);
                } else {
                    rejected.add(new RejectedRecord(event.appId(), "app_id", "app_id: no such app", event.payload(), event.source()));
                }
            }
            List<DroppedResend> resends = new ArrayList<>();
            return deduplicate(ofKnownApps, known, resends).flatMap(unique -> enrich(unique, known)
                    .map(enriched -> new EnrichedBatch(enriched, rejected, resends)));
        });
    }

    /**
     * Undoes what a record quarantined as unprocessable left behind: its event never reached the facts, so its
     * id must not make a corrected resend a duplicate.
     */
    public Uni<Void> forget(Input record) {
        return parser.parse(record.value(), record.source()) instanceof AcceptedEvent accepted
                ? dedup.forget(accepted) : Uni.createFrom().voidItem();
    }

    /**
     * Drops resends into {@code resends}; they leave in the batch's Kafka transaction, so a replayed batch
     * does not count them again (aggregate counts them, see DuplicateRepository there).
     */
    private Uni<List<AcceptedEvent>> deduplicate(List<AcceptedEvent> events, Map<String, AppSettings> apps, List<DroppedResend> resends) {
        // a batch can hold the same id twice; only its first record reaches the dedup table
        Set<String> inBatch = new HashSet<>();
        List<AcceptedEvent> first = new ArrayList<>();
        List<AcceptedEvent> duplicates = new ArrayList<>();
        for (AcceptedEvent event : events) {
            (inBatch.add(event.appId() + "/" + event.event().eventId()) ? first : duplicates).add(event);
        }
        if (first.isEmpty()) {
            return Uni.createFrom().item(first);
        }
        return dedup.remember(first).map(resent -> {
            List<AcceptedEvent> unique = new ArrayList<>();
            for (int i = 0; i < first.size(); i++) {
                (resent.contains(i) ? duplicates : unique).add(first.get(i));
            }
            duplicates.forEach(d -> resends.add(new DroppedResend(d, d.event().timestamp().atZone(apps.get(d.appId()).zone()).toLocalDate())));
            return unique;
        });
    }

    private Uni<List<EnrichedEvent>> enrich(List<AcceptedEvent> events, Map<String, AppSettings> apps) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Set<ContentKey> contentKeys = events.stream().map(EnrichmentService::contentKey)
                .filter(java.util.Objects::nonNull).collect(Collectors.toSet());
        Uni<Map<ContentKey, ContentMetadata>> contents = contentKeys.isEmpty()
                ? Uni.createFrom().item(Map.of()) : catalog.find(contentKeys);
        return contents.flatMap(content -> traits.attach(events).map(attached -> {
            List<EnrichedEvent> enriched = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                AcceptedEvent event = events.get(i);
                UserTraits userTraits = attached.get(i);
                ContentKey key = contentKey(event);
                enriched.add(enricher.enrich(event, apps.get(event.appId()), userTraits, key == null ? null : content.get(key)));
            }
            return enriched;
        }));
    }

    private static ContentKey contentKey(AcceptedEvent event) {
        if (!EventCatalog.CONTENT_ENGAGEMENT.equals(event.event().event())) {
            return null;
        }
        return new ContentKey(event.appId(), EventEnricher.text(event.event().properties(), "content_id"));
    }
}
