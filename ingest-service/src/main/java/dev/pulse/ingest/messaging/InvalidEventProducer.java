package dev.pulse.ingest.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.TopicCodec;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.List;

/** Events refused at the edge go to events.invalid too, so that quality figures count every rejection. */
@ApplicationScoped
public class InvalidEventProducer {
    private final MutinyEmitter<String> emitter;
    private final TopicCodec<InvalidEvent> codec;

    public InvalidEventProducer(@Channel(Channels.EVENTS_INVALID) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
            MutinyEmitter<String> emitter, ObjectMapper mapper) {
        this.emitter = emitter;
        this.codec = TopicCodec.invalid(mapper);
    }

    public Uni<Void> send(List<InvalidEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(events.stream().map(this::send).toList()).andFailFast().replaceWithVoid();
    }

    private Uni<Void> send(InvalidEvent event) {
        return KeyedRecords.send(emitter, event.appId(), codec.writeText(event));
    }
}
