package dev.pulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Typed reads of single JSON fields for the validators; each throws a {@link Violation} naming the field. */
final class JsonFields {
    private JsonFields() {
    }

    static String text(JsonNode value, String field, int maxLength) {
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

    /** A string, or an integer meaning its decimal string ({@code 1} ≡ {@code "1"}). */
    static String identifier(JsonNode value, String field, boolean required) {
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
        if (id.isEmpty() || id.length() > Limits.MAX_ID_LENGTH) {
            throw new Violation(field, "must be 1-" + Limits.MAX_ID_LENGTH + " characters");
        }
        String problem = StorableText.problem(id);
        if (problem != null) {
            throw new Violation(field, problem);
        }
        return id;
    }

    static Integer integer(JsonNode value, String field, int min, int max) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
            throw new Violation(field, "must be an integer in [" + min + ", " + max + "]");
        }
        return value.asInt();
    }

    /** A finite number in [0, max]; absent is fine. */
    static void number(JsonNode value, String field, BigDecimal max) {
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble()) || value.decimalValue().signum() < 0
                || value.decimalValue().compareTo(max) > 0) {
            throw new Violation(field, "must be a number in [0, " + max.toPlainString() + "]");
        }
    }

    static ObjectNode object(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new Violation(field, "must be an object");
        }
        return (ObjectNode) value;
    }

    /** An ISO-8601 time with offset in [earliest, latest). */
    static Instant instant(JsonNode value, String field, Instant earliest, Instant latest) {
        if (value == null || value.isNull()) {
            return null;
        }
        Instant instant;
        try {
            instant = value.isTextual() ? IsoInstant.parse(value.textValue()) : null;
        } catch (DateTimeParseException e) {
            instant = null;
        }
        if (instant == null) {
            throw new Violation(field, "must be an ISO-8601 string with offset");
        }
        checkWindow(instant, field, earliest, latest);
        return instant;
    }

    static void checkWindow(Instant instant, String field, Instant earliest, Instant latest) {
        if (instant.isBefore(earliest) || !instant.isBefore(latest)) {
            throw new Violation(field, "must be from " + earliest + " and before " + latest);
        }
    }
}
