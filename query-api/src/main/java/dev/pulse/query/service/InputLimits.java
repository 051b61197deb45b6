package dev.pulse.query.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.web.problem.ProblemException;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/**
 * What a value sent to any query endpoint may hold: dates inside a window that java.time arithmetic and
 * PostgreSQL's date type both keep, text that PostgreSQL can compare (no NUL, no unpaired surrogate) and no longer
 * than any stored value. Every refusal is a 400 naming the field.
 */
public final class InputLimits {
    public static final LocalDate FIRST_DAY = LocalDate.of(1970, 1, 1);
    public static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);
    /** The longest text the contract's validator accepts into any stored column: a longer value matches nothing. */
    public static final int MAX_TEXT = 2048;

    private InputLimits() {
    }

    public static LocalDate date(String value, String field) {
        LocalDate date;
        try {
            date = LocalDate.parse(required(value, field, "YYYY-MM-DD"));
        } catch (DateTimeParseException e) {
            throw bad("must be a date YYYY-MM-DD", field);
        }
        if (date.isBefore(FIRST_DAY) || date.isAfter(LAST_DAY)) {
            throw bad("must be a date between " + FIRST_DAY + " and " + LAST_DAY, field);
        }
        return date;
    }

    /** Checks that {@code from..to} is a range of at most {@code maxDays} days. */
    public static void range(LocalDate from, LocalDate to, int maxDays) {
        if (from.isAfter(to) || ChronoUnit.DAYS.between(from, to) >= maxDays) {
            throw ProblemException.badRequest("from must not be after to, and the range at most " + maxDays + " days", "from");
        }
    }

    /** The days of {@code from..to}, or of the 30 days ending {@code today} when both are absent. */
    public static List<LocalDate> days(String from, String to, LocalDate today, int maxDays) {
        LocalDate start = from == null && to == null ? today.minusDays(29) : date(from, "from");
        LocalDate end = from == null && to == null ? today : date(to, "to");
        range(start, end, maxDays);
        return start.datesUntil(end.plusDays(1)).toList();
    }

    public static YearMonth month(String value, String field) {
        YearMonth month;
        try {
            month = YearMonth.parse(required(value, field, "YYYY-MM"));
        } catch (DateTimeParseException e) {
            throw bad("must be a month YYYY-MM", field);
        }
        if (month.isBefore(YearMonth.from(FIRST_DAY)) || month.isAfter(YearMonth.from(LAST_DAY))) {
            throw bad("must be a month between " + YearMonth.from(FIRST_DAY) + " and " + YearMonth.from(LAST_DAY), field);
        }
        return month;
    }

    /** An integer parameter, {@code fallback} when absent. */
    public static int integer(String value, String field, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.strip());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // the same answer as out of range
        }
        throw bad("must be an integer in [" + min + ", " + max + "]", field);
    }

    /** A path or query value that must be an integer from 0 to Long.MAX_VALUE (a post id). */
    public static long nonNegativeLong(String value, String field) {
        try {
            long number = Long.parseLong(required(value, field, "an integer"));
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // the same answer as a negative number
        }
        throw bad("must be an integer from 0 to " + Long.MAX_VALUE, field);
    }

    /** Text compared with stored values: at most {@link #MAX_TEXT} characters, no NUL, no unpaired surrogate. */
    public static String text(String value, String field) {
        if (value.length() > MAX_TEXT) {
            throw bad("must be at most " + MAX_TEXT + " characters", field);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw bad("must not contain NUL (\\u0000)", field);
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw bad("must not contain an unpaired surrogate", field);
            }
        }
        return value;
    }

    private static String required(String value, String field, String format) {
        if (value == null) {
            throw bad("is required (" + format + ")", field);
        }
        return value;
    }

    /** Refuses a field of {@code object} not in {@code known}, named with {@code prefix} ("" at the top level). */
    public static void onlyFields(JsonNode object, Set<String> known, String prefix) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw bad("unknown field " + name, prefix + name);
            }
        }
    }

    public static ProblemException bad(String detail, String field) {
        return ProblemException.badRequest(field + ": " + detail, field);
    }
}
