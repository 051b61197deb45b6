package dev.pulse.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;

/**
 * A topic with the type of its values, and their JSON form: every service writes and reads a topic's values
 * through its codec, so the wire format of each topic is the record's Jackson annotations and nothing else.
 * <p>
 * Values are read from the text a consumer received rather than by a Kafka deserializer: a deserializer that
 * fails stops its consumer, while a consumer that parses the text itself can quarantine the record and keep it
 * as read.
 *
 * @param <T> the record type of the topic's values
 */
public final class TopicCodec<T> {
    private final String topic;
    private final Class<T> type;
    private final ObjectMapper mapper;

    private TopicCodec(String topic, Class<T> type, ObjectMapper mapper) {
        this.topic = topic;
        this.type = type;
        this.mapper = mapper;
    }

    /** @param mapper the service's ObjectMapper, so that every value of the service is written alike */
    public static TopicCodec<RawEvent> raw(ObjectMapper mapper) {
        return new TopicCodec<>(Topics.RAW, RawEvent.class, mapper);
    }

    public static TopicCodec<EnrichedEvent> enriched(ObjectMapper mapper) {
        return new TopicCodec<>(Topics.ENRICHED, EnrichedEvent.class, mapper);
    }

    public static TopicCodec<InvalidEvent> invalid(ObjectMapper mapper) {
        return new TopicCodec<>(Topics.INVALID, InvalidEvent.class, mapper);
    }

    public static TopicCodec<ContentMetadata> catalog(ObjectMapper mapper) {
        return new TopicCodec<>(Topics.CATALOG_CONTENT, ContentMetadata.class, mapper);
    }

    public static TopicCodec<ErasureCommand> erasures(ObjectMapper mapper) {
        return new TopicCodec<>(Topics.ERASURES, ErasureCommand.class, mapper);
    }

    public String topic() {
        return topic;
    }

    /** The name of the value type, for messages about a record that is not one. */
    public String typeName() {
        return type.getSimpleName();
    }

    /** The value as sent, UTF-8 JSON; a contract record always serialises, so a failure is a bug. */
    public byte[] write(T value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same JSON as text, for a channel whose StringSerializer encodes it. That encoding is not {@link #write}'s:
     * a character beyond the BMP is UTF-8 rather than an escape, and an unpaired surrogate (which UTF-8 cannot hold)
     * becomes {@code ?} rather than an escape; readers see the same values, the unpaired surrogate aside.
     */
    public String writeText(T value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param value the record's value as received, not null
     * @throws JsonProcessingException when it is not JSON of the topic's type
     */
    public T read(String value) throws JsonProcessingException {
        return mapper.readValue(value, type);
    }
}
