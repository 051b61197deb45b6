package dev.pulse.contract;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * SPEC §8 "accepted values": the bounds {@link EventValidator} and {@link ContentValidator} enforce, each sized to
 * what every store downstream keeps (PostgreSQL columns, JSONB, a Kafka message of 1 MiB). README "Accepted
 * values" lists them; {@code EnrichedEventSizeTest} checks that an enriched record built to every bound fits Kafka.
 */
public final class Limits {
    /** Events before this are refused: no product analytics predates it, and late clocks (1970) land here. */
    public static final Instant EARLIEST_TIMESTAMP = Instant.parse("2000-01-01T00:00:00Z");
    /**
     * Timestamps from here on are refused rather than clamped: RFC 3339 has four-digit years, and anything later is
     * not a skewed clock. Below it, ingest clamps what is more than its tolerance ahead of the receive time.
     */
    public static final Instant LATEST_TIMESTAMP = Instant.parse("+10000-01-01T00:00:00Z");
    /** Content may be old (a film) or scheduled; these bound {@code publish_ts}. */
    public static final Instant EARLIEST_PUBLISH_TS = Instant.parse("1900-01-01T00:00:00Z");
    public static final Instant LATEST_PUBLISH_TS = Instant.parse("2100-01-01T00:00:00Z");

    public static final int MAX_ID_LENGTH = 128;
    public static final int MAX_TEXT_LENGTH = 2048;
    public static final int MAX_HOST_LENGTH = 253;
    public static final int MAX_IP_LENGTH = 45;
    public static final int MAX_TITLE_LENGTH = 1024;

    /** {@code properties} as compact UTF-8 JSON. */
    public static final int MAX_PROPERTY_BYTES = 16_384;
    /** Keys and array elements at every level of {@code properties}, together. */
    public static final int MAX_PROPERTY_ENTRIES = 256;
    /** Objects and arrays nested in one another, {@code properties} itself being the first level. */
    public static final int MAX_PROPERTY_DEPTH = 5;
    public static final int MAX_PROPERTY_KEY_LENGTH = 128;

    /** Largest integer that duration_ms (bigint) and engagement_seconds (double precision) both hold exactly. */
    public static final BigDecimal MAX_DURATION_MS = BigDecimal.valueOf((1L << 53) - 1);
    /** revenue is numeric, which holds more; no single purchase in any currency comes near this. */
    public static final BigDecimal MAX_REVENUE = new BigDecimal("1000000000000000");
    /** length_seconds is an int column. */
    public static final int MAX_LENGTH_SECONDS = Integer.MAX_VALUE;

    private Limits() {
    }
}
