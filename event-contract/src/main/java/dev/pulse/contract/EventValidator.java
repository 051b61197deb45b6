package dev.pulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static dev.pulse.contract.JsonFields.identifier;
import static dev.pulse.contract.JsonFields.integer;
import static dev.pulse.contract.JsonFields.object;
import static dev.pulse.contract.JsonFields.text;

/**
 * The SPEC §2 field rules, the built-in event requirements and the SPEC §8 accepted values ({@link Limits}). Ingest
 * applies them at the edge and enrich applies them again, so both must share this one definition.
 */
public final class EventValidator {
    private static final Pattern EVENT_NAME = Pattern.compile("[a-z][a-z0-9_.:-]{0,63}");
    private static final Set<String> DEVICES = Set.of("mobile", "desktop", "tablet", "tv");
    private static final Set<String> ACTIONS = Set.of("play", "pause", "finish", "click");
    private static final BigDecimal MAX_POST_ID = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final List<String> CONTAINERS = List.of("properties", "user", "context");
    private static final Set<String> NAMED_FIELDS = Set.of("event", "user_id", "event_id", "timestamp", "session_id",
            "properties", "user", "context", "properties.post_id", "properties.receiver_id", "properties.content_id",
            "properties.action", "properties.duration_ms", "properties.revenue", "properties.currency", "user.gender",
            "user.age", "user.os", "user.source", "user.country", "user.city", "user.exp_group", "context.user_agent",
            "context.device", "context.browser", "context.host", "context.url", "context.referrer", "context.ip");

    private EventValidator() {
    }

    public static Validation validate(JsonNode node) {
        try {
            return new Validation.Valid(parse(node));
        } catch (Violation v) {
            return new Validation.Invalid(v.field, v.reason);
        }
    }

    /**
     * The field a violation of {@code field} is counted under (metrics, /v1/quality): the field itself when SPEC §2
     * names it, else the named object holding it, else {@code event}. Counting by a client's own property keys
     * would let one client grow those sets without bound.
     */
    public static String family(String field) {
        if (NAMED_FIELDS.contains(field)) {
            return field;
        }
        return CONTAINERS.stream().filter(c -> field.startsWith(c + ".") || field.startsWith(c + "[")).findFirst().orElse("event");
    }

    /**
     * The timestamp window for a time ingest computed (the clock-skew correction moves a client's timestamp).
     * @return the rule broken, or empty
     */
    public static Optional<Validation.Invalid> checkTimestamp(Instant timestamp) {
        try {
            JsonFields.checkWindow(timestamp, "timestamp", Limits.EARLIEST_TIMESTAMP, Limits.LATEST_TIMESTAMP);
            return Optional.empty();
        } catch (Violation v) {
            return Optional.of(new Validation.Invalid(v.field, v.reason));
        }
    }

    /** Whether a text is a well-formed event name (built-in or custom). */
    public static boolean isEventName(String name) {
        return EVENT_NAME.matcher(name).matches();
    }

    private static Event parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new Violation("event", "must be a JSON object");
        }
        JsonNode nameNode = node.get("event");
        if (nameNode == null || nameNode.isNull()) {
            throw new Violation("event", "required");
        }
        if (!nameNode.isTextual() || !isEventName(nameNode.textValue())) {
            throw new Violation("event", "must match [a-z][a-z0-9_.:-]{0,63}");
        }
        JsonTree.checkStorable(node, "");
        String name = nameNode.textValue();
        String userId = identifier(node.get("user_id"), "user_id", true);
        UUID eventId = uuid(node.get("event_id"));
        Instant timestamp = JsonFields.instant(node.get("timestamp"), "timestamp", Limits.EARLIEST_TIMESTAMP, Limits.LATEST_TIMESTAMP);
        String sessionId = text(node.get("session_id"), "session_id", Limits.MAX_ID_LENGTH);
        ObjectNode properties = object(node.get("properties"), "properties");
        if (properties != null) {
            JsonTree.checkProperties(properties);
        }
        UserTraits user = traits(object(node.get("user"), "user"));
        EventContext context = context(object(node.get("context"), "context"));
        requireBuiltInProperties(name, properties, context);
        return new Event(name, userId, eventId, timestamp, sessionId, properties, user, context);
    }

    private static void requireBuiltInProperties(String name, ObjectNode properties, EventContext context) {
        switch (name) {
            case EventCatalog.FEED_VIEW, EventCatalog.FEED_LIKE -> {
                JsonNode postId = required(properties, "post_id");
                if (!postId.canConvertToExactIntegral() || !postId.canConvertToLong() || postId.asLong() < 0) {
                    throw new Violation("properties.post_id", "must be an integer in [0, " + MAX_POST_ID + "]");
                }
            }
            case EventCatalog.MESSAGE_SENT -> identifier(required(properties, "receiver_id"), "properties.receiver_id", true);
            case EventCatalog.CONTENT_ENGAGEMENT -> {
                identifier(required(properties, "content_id"), "properties.content_id", true);
                JsonNode action = properties.get("action");
                if (action != null && !action.isNull() && !(action.isTextual() && ACTIONS.contains(action.textValue()))) {
                    throw new Violation("properties.action", "must be one of play, pause, finish, click");
                }
                JsonFields.number(properties.get("duration_ms"), "properties.duration_ms", Limits.MAX_DURATION_MS);
            }
            case EventCatalog.PAGE_VIEW -> {
                if (context.host() == null) {
                    throw new Violation("context.host", "required for page_view");
                }
                if (context.url() == null) {
                    throw new Violation("context.url", "required for page_view");
                }
            }
            case EventCatalog.PURCHASE -> {
                JsonFields.number(required(properties, "revenue"), "properties.revenue", Limits.MAX_REVENUE);
                JsonNode currency = properties.get("currency");
                if (currency != null && !currency.isNull() && !isCurrency(currency)) {
                    throw new Violation("properties.currency", "must be an ISO 4217 code");
                }
            }
            default -> {
                // signup, referral and custom events have no required properties
            }
        }
    }

    private static JsonNode required(ObjectNode properties, String field) {
        JsonNode value = properties == null ? null : properties.get(field);
        if (value == null || value.isNull()) {
            throw new Violation("properties." + field, "required");
        }
        return value;
    }

    private static boolean isCurrency(JsonNode currency) {
        if (!currency.isTextual() || !currency.textValue().matches("[A-Z]{3}")) {
            return false;
        }
        try {
            Currency.getInstance(currency.textValue());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static UUID uuid(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.textValue().length() != 36) {
            throw new Violation("event_id", "must be a UUID");
        }
        try {
            return UUID.fromString(value.textValue());
        } catch (IllegalArgumentException e) {
            throw new Violation("event_id", "must be a UUID");
        }
    }

    private static UserTraits traits(ObjectNode user) {
        if (user == null) {
            return null;
        }
        return new UserTraits(
                integer(user.get("gender"), "user.gender", 0, 1),
                integer(user.get("age"), "user.age", 0, 150),
                text(user.get("os"), "user.os", Limits.MAX_ID_LENGTH),
                text(user.get("source"), "user.source", Limits.MAX_ID_LENGTH),
                text(user.get("country"), "user.country", Limits.MAX_ID_LENGTH),
                text(user.get("city"), "user.city", Limits.MAX_ID_LENGTH),
                integer(user.get("exp_group"), "user.exp_group", Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    private static EventContext context(ObjectNode context) {
        if (context == null) {
            return EventContext.NONE;
        }
        String device = text(context.get("device"), "context.device", Limits.MAX_ID_LENGTH);
        if (device != null && !DEVICES.contains(device)) {
            throw new Violation("context.device", "must be one of mobile, desktop, tablet, tv");
        }
        return new EventContext(
                text(context.get("user_agent"), "context.user_agent", Limits.MAX_TEXT_LENGTH),
                device,
                text(context.get("browser"), "context.browser", Limits.MAX_ID_LENGTH),
                text(context.get("host"), "context.host", Limits.MAX_HOST_LENGTH),
                text(context.get("url"), "context.url", Limits.MAX_TEXT_LENGTH),
                text(context.get("referrer"), "context.referrer", Limits.MAX_TEXT_LENGTH),
                text(context.get("ip"), "context.ip", Limits.MAX_IP_LENGTH));
    }
}
