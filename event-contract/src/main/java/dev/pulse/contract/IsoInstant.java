package dev.pulse.contract;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 times with offset, read as {@link OffsetDateTime#parse} reads them. The shape every Pulse writer and most
 * clients send ({@code 2026-12-04T18:52:23.123Z}: seconds, up to nine fraction digits, {@code Z} or {@code ±HH:MM})
 * is read without the formatter (about 1 µs a text against tens of ns; 4-7 % of each service's samples in a profile
 * of its first load, bench/RESULTS.md, issue 15); any other text, valid or not, goes to the formatter, so what is
 * accepted and refused stays the formatter's.
 */
public final class IsoInstant {
    private IsoInstant() {
    }

    /** @throws DateTimeParseException as {@link OffsetDateTime#parse} does */
    public static Instant parse(CharSequence text) {
        Instant common = common(text);
        return common != null ? common : OffsetDateTime.parse(text).toInstant();
    }

    /** The common shape's instant, or null for any other text (including dates that do not exist). */
    public static Instant common(CharSequence s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || (i < n && isDigit(s.charAt(i)))) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int offsetHours = digits(s, i + 1, 2);
            int offsetMinutes = digits(s, i + 4, 2);
            if (offsetHours < 0 || offsetHours > 17 || offsetMinutes < 0 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return null;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds, nanos);
    }

    private static int digits(CharSequence s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
