package dev.pulse.enrich.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.Event;
import dev.pulse.contract.EventCatalog;
import dev.pulse.contract.EventCategory;
import dev.pulse.contract.EventContext;
import dev.pulse.contract.UserTraits;
import dev.pulse.enrich.domain.AcceptedEvent;
import dev.pulse.enrich.domain.AppSettings;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Set;

/** SPEC §3 enrichment of one event, given what was looked up for its batch. */
@ApplicationScoped
public class EventEnricher {
    private static final Set<String> CATEGORIES = Set.of("engagement", "acquisition", "monetization", "growth", "other");

    private final UserAgentParser userAgents;

    public EventEnricher(UserAgentParser userAgents) {
        this.userAgents = userAgents;
    }

    public EnrichedEvent enrich(AcceptedEvent accepted, AppSettings app, UserTraits traits, ContentMetadata content) {
        Event e = accepted.event();
        ObjectNode p = e.properties();
        EventContext context = e.context();
        UserAgentParser.Parsed agent = context.userAgent() == null ? null : userAgents.parse(context.userAgent());
        LocalDate eventDate = e.timestamp().atZone(app.zone()).toLocalDate();
        boolean late = eventDate.isBefore(accepted.raw().receivedAt().atZone(app.zone()).toLocalDate());
        Long durationMs = p != null && p.hasNonNull("duration_ms") ? p.get("duration_ms").asLong() : null;
        Integer length = content == null ? null : content.lengthSeconds();
        Double engagementSeconds = durationMs == null ? null : durationMs / 1000.0;
        return new EnrichedEvent(
                accepted.appId(), e.eventId(), e.event(), category(e.event(), app), e.userId(),
                e.timestamp(), eventDate, accepted.raw().receivedAt(), accepted.raw().clockClamped(), late,
                e.sessionId(), p,
                EventCatalog.FEED_VIEW.equals(e.event()) || EventCatalog.FEED_LIKE.equals(e.event()) ? p.get("post_id").asLong() : null,
                text(p, "receiver_id"), text(p, "content_id"), text(p, "action"), durationMs,
                EventCatalog.PURCHASE.equals(e.event()) ? p.get("revenue").decimalValue() : null,
                EventCatalog.PURCHASE.equals(e.event()) ? text(p, "currency") : null,
                traits,
                context.device() != null ? context.device() : agent == null ? null : agent.device(),
                traits.os() != null ? traits.os() : agent == null ? null : agent.os(),
                context.browser() != null ? context.browser() : agent == null ? null : agent.browser(),
                context.host() == null ? null : context.host().toLowerCase(Locale.ROOT),
                context.url(), context.referrer(),
                content == null ? null : content.title(),
                content == null ? null : content.contentType(),
                length,
                engagementSeconds,
                engagementPct(engagementSeconds, length));
    }

    /** round(engagement_seconds / length_seconds, 2); null when either is unknown. */
    static Double engagementPct(Double engagementSeconds, Integer lengthSeconds) {
        if (engagementSeconds == null || lengthSeconds == null || lengthSeconds <= 0) {
            return null;
        }
        return BigDecimal.valueOf(engagementSeconds).divide(BigDecimal.valueOf(lengthSeconds), 2, RoundingMode.HALF_UP).doubleValue();
    }

    private static String category(String event, AppSettings app) {
        EventCategory builtIn = EventCatalog.category(event);
        if (builtIn != EventCategory.OTHER || EventCatalog.isBuiltIn(event)) {
            return builtIn.value();
        }
        String mapped = app.categories().get(event);
        return mapped != null && CATEGORIES.contains(mapped) ? mapped : EventCategory.OTHER.value();
    }

    /** Ids may arrive as strings or integers; both mean the same decimal string. */
    static String text(ObjectNode properties, String field) {
        JsonNode value = properties == null ? null : properties.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return value.isIntegralNumber() ? value.bigIntegerValue().toString() : value.asText();
    }
}
