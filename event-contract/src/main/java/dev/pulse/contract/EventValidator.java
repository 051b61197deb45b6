package dev.pulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The SPEC §2 field rules and built-in event requirements. Ingest applies them at the edge and enrich applies
 * them again, so both must share this one definition.
 */
public final class EventValidator {
    private static final Pattern EVENT_NAME = Pattern.compile("[a-z][a-z0-9_.:-]{0,63}");
    private static final Set<String> DEVICES = Set.of("mobile", "desktop", "tablet", "tv");
    private static final Set<String> ACTIONS = Set.of("play", "pause", "finish", "click");
    private static final int MAX_ID_LENGTH = 128;
    private static final int MAX_TEXT_LENGTH = 2048;

    private EventValidator() {
    }

    public static Validation validate(JsonNode node) {
        try {
            return new Validation.Valid(parse(node));
        } catch (Violation v) {
            return new Validation.Invalid(v.field, v.reason);
        }
    }

    private static Event parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new Violation("event", "must be a JSON object");
        }
        JsonNode nameNode = node.get("event");
        if (nameNode == null || nameNode.isNull()) {
            throw new Violation("event", "required");
        }
        if (!nameNode.isTextual() || !EVENT_NAME.matcher(nameNode.textValue()).matches()) {
            throw new Violation("event", "must match [a-z][a-z0-9_.:-]{0,63}");
        }
        String name = nameNode.textValue();
        String userId = identifier(node.get("user_id"), "user_id", true);
        UUID eventId = uuid(node.get("event_id"));
        Instant timestamp = timestamp(node.get("timestamp"));
        String sessionId = text(node.get("session_id"), "session_id", MAX_ID_LENGTH);
        ObjectNode properties = object(node.get("properties"), "properties");
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
                    throw new Violation("properties.post_id", "must be an integer >= 0");
                }
            }
            case EventCatalog.MESSAGE_SENT -> identifier(required(properties, "receiver_id"), "properties.receiver_id", true);
            case EventCatalog.CONTENT_ENGAGEMENT -> {
                identifier(required(properties, "content_id"), "properties.content_id", true);
                JsonNode action = properties.get("action");
                if (action != null && !action.isNull() && !(action.isTextual() && ACTIONS.contains(action.textValue()))) {
                    throw new Violation("properties.action", "must be one of play, pause, finish, click");
                }
                nonNegativeNumber(properties.get("duration_ms"), "properties.duration_ms");
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
                JsonNode revenue = required(properties, "revenue");
                if (revenue.isNull()) {
                    throw new Violation("properties.revenue", "required");
                }
                nonNegativeNumber(revenue, "properties.revenue");
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

    private static void nonNegativeNumber(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isNumber() || value.asDouble() < 0 || !Double.isFinite(value.asDouble())) {
            throw new Violation(field, "must be a number >= 0");
        }
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

    /** A string, or an integer meaning its decimal string ({@code 1} ≡ {@code "1"}). */
    private static String identifier(JsonNode value, String field, boolean required) {
        if (value == null || value.isNull()) {
            if (required) {
                throw new Violation(field, "required");
            }
            return null;
        }
        String id;
        if (value.isTextual()) {
            id = value.textValue();
        } else if (value.isIntegralNumber()) {
            id = value.bigIntegerValue().toString();
        } else {
            throw new Violation(field, "must be a string or an integer");
        }
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new Violation(field, "must be 1-128 characters");
        }
        return id;
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

    private static Instant timestamp(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new Violation("timestamp", "must be an ISO-8601 string with offset");
        }
        try {
            return OffsetDateTime.parse(value.textValue()).toInstant();
        } catch (DateTimeParseException e) {
            throw new Violation("timestamp", "must be an ISO-8601 string with offset");
        }
    }

    private static String text(JsonNode value, String field, int maxLength) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new Violation(field, "must be a string");
        }
        if (value.textValue().length() > maxLength) {
            throw new Violation(field, "must be at most " + maxLength + " characters");
        }
        return value.textValue();
    }

    private static ObjectNode object(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new Violation(field, "must be an object");
        }
        return (ObjectNode) value;
    }

    private static Integer integer(JsonNode value, String field, int min, int max) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
            throw new Violation(field, "must be an integer in [" + min + ", " + max + "]");
        }
        return value.asInt();
    }

    private static UserTraits traits(ObjectNode user) {
        if (user == null) {
            return null;
        }
        return new UserTraits(
                integer(user.get("gender"), "user.gender", 0, 1),
                integer(user.get("age"), "user.age", 0, 150),
                text(user.get("os"), "user.os", MAX_ID_LENGTH),
                text(user.get("source"), "user.source", MAX_ID_LENGTH),
                text(user.get("country"), "user.country", MAX_ID_LENGTH),
                text(user.get("city"), "user.city", MAX_ID_LENGTH),
                integer(user.get("exp_group"), "user.exp_group", Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    private static EventContext context(ObjectNode context) {
        if (context == null) {
            return EventContext.NONE;
        }
        String device = text(context.get("device"), "context.device", MAX_ID_LENGTH);
        if (device != null && !DEVICES.contains(device)) {
            throw new Violation("context.device", "must be one of mobile, desktop, tablet, tv");
        }
        return new EventContext(
                text(context.get("user_agent"), "context.user_agent", MAX_TEXT_LENGTH),
                device,
                text(context.get("browser"), "context.browser", MAX_ID_LENGTH),
                text(context.get("host"), "context.host", 253),
                text(context.get("url"), "context.url", MAX_TEXT_LENGTH),
                text(context.get("referrer"), "context.referrer", MAX_TEXT_LENGTH),
                text(context.get("ip"), "context.ip", 45));
    }

    /** Control flow for the first rule broken; carries no stack trace. */
    private static final class Violation extends RuntimeException {
        private final String field;
        private final String reason;

        Violation(String field, String reason) {
            super(field + ": " + reason, null, false, false);
            this.field = field;
            this.reason = reason;
        }
    }
}
