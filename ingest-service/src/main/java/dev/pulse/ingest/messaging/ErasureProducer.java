package dev.pulse.ingest.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.TopicCodec;
import dev.pulse.contract.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes erasure commands; the Uni completes once Kafka ({@code acks=all}) holds the command. */
@ApplicationScoped
public class ErasureProducer {
    private final MutinyEmitter<String> emitter;
    private final TopicCodec<ErasureCommand> codec;

    public ErasureProducer(@Channel(Channels.CONTROL_ERASURES) MutinyEmitter<String> emitter, ObjectMapper mapper) {
        this.emitter = emitter;
        this.codec = TopicCodec.erasures(mapper);
    }

    public Uni<Void> publish(ErasureCommand command) {
        return KeyedRecords.send(emitter, Topics.userKey(command.appId(), command.userId()), codec.writeText(command));
    }
}
