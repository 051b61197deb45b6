package dev.pulse.ingest.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.RawEvent;
import dev.pulse.contract.TopicCodec;
import dev.pulse.contract.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.List;

/** Writes accepted events to events.raw; the returned Uni completes once Kafka acknowledged all of them. */
@ApplicationScoped
public class RawEventProducer {
    /** An event serialised once, for both the size check and the topic. */
    public record Record(String key, byte[] value) {
    }

    private final MutinyEmitter<byte[]> emitter;
    private final TopicCodec<RawEvent> codec;

    public RawEventProducer(@Channel(Channels.EVENTS_RAW) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
            MutinyEmitter<byte[]> emitter, ObjectMapper mapper) {
        this.emitter = emitter;
        this.codec = TopicCodec.raw(mapper);
    }

    public Record record(RawEvent event) {
        return new Record(Topics.userKey(event.appId(), event.event().get("user_id").asText()), codec.write(event));
    }

    public Uni<Void> send(List<Record> records) {
        List<Uni<Void>> acks = records.stream().map(this::send).toList();
        return Uni.join().all(acks).andFailFast().replaceWithVoid();
    }

    private Uni<Void> send(Record record) {
        return KeyedRecords.send(emitter, record.key(), record.value());
    }
}
