package dev.pulse.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.StorableText;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Instant;

/**
 * A record given up on: it failed on its own, again and again, while its sink answered. It leaves its loop as an
 * events.invalid record with reason {@value #REASON}, the error, the record as read and where it was read, and
 * is counted in {@code pulse_<service>_records_quarantined_total{topic,reason}}.
 */
public final class Quarantine {
    public static final String REASON = "unprocessable";
    /** Keeps the events.invalid record under Kafka's default message size even when every character is escaped. */
    static final int MAX_PAYLOAD_CHARS = 128 * 1024;
    static final int MAX_ERROR_CHARS = 2_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MeterRegistry registry;
    private final String counterName;

    /** @param service the metric's middle part: {@code enrich} gives {@code pulse_enrich_records_quarantined_total} */
    public Quarantine(MeterRegistry registry, String service) {
        this.registry = registry;
        this.counterName = "pulse." + service + ".records.quarantined";
    }

    /** The events.invalid record for a record read at topic/partition/offset that failed with {@code failure}. */
    public static InvalidEvent invalidEvent(String appId, Throwable failure, String payload, String topic, int partition, long offset) {
        return new InvalidEvent(storable(appId), REASON, storable(capped(String.valueOf(failure), MAX_ERROR_CHARS)),
                storable(capped(payload, MAX_PAYLOAD_CHARS)), topic, partition, offset, Instant.now());
    }

    /**
     * Text columns cannot hold NUL nor an unpaired surrogate (which JSON cannot even carry), and either may well be
     * why the record failed: the quarantine record must still be published and stored.
     */
    private static String storable(String text) {
        if (text == null || StorableText.problem(text) == null) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(c == 0 || Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    /**
     * The app a record belongs to: its JSON's {@code app_id} when it has one (every Pulse record does), otherwise
     * the first part of its key (see Topics), or null.
     */
    public static String appOf(String key, String value) {
        try {
            JsonNode app = value == null ? null : JSON.readTree(value).path("app_id");
            if (app != null && app.isTextual()) {
                return app.asText();
            }
        } catch (JsonProcessingException e) {
            // not JSON: the key is all there is
        }
        if (key == null) {
            return null;
        }
        int end = key.indexOf('\u0000');
        return end < 0 ? key : key.substring(0, end);
    }

    /**
     * Serves the counter at zero from the start, so that the first quarantine already shows as an increase (an
     * alert on {@code increase()} cannot see a series' first appearance).
     */
    public void expect(String topic, String reason) {
        registry.counter(counterName, "topic", topic, "reason", reason);
    }

    /** Counts a record that left its loop for the quarantine, once it is there. */
    public void counted(String topic, String reason) {
        registry.counter(counterName, "topic", topic, "reason", reason).increment();
    }

    private static String capped(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        // never half a surrogate pair
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "…[" + (text.length() - end) + " more characters]";
    }
}
