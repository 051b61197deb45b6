package dev.pulse.enrich.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.TopicCodec;
import dev.pulse.enrich.repository.ErasureRepository;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Executes erasure commands (control.erasures) once each; the offset is committed after the database transaction,
 * which is retried until PostgreSQL takes it.
 */
@ApplicationScoped
public class ErasureConsumer {
    private final ErasureRepository repository;
    private final TopicCodec<ErasureCommand> codec;

    public ErasureConsumer(ErasureRepository repository, ObjectMapper mapper) {
        this.repository = repository;
        this.codec = TopicCodec.erasures(mapper);
    }

    @Incoming(Channels.CONTROL_ERASURES)
    public Uni<Void> consume(String value) {
        ErasureCommand command = parse(value);
        return repository.erase(command)
                .onFailure().invoke(e -> Log.warnf("erasure %s failed, retrying: %s", command.erasureId(), e.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .invoke(deleted -> deleted.ifPresentOrElse(
                        n -> Log.infof("erasure %s: %d trait versions deleted", command.erasureId(), n),
                        () -> Log.infof("erasure %s was done before", command.erasureId())))
                .replaceWithVoid();
    }

    /** ingest writes this topic from the same contract; a record that does not parse is a bug to stop on. */
    private ErasureCommand parse(String value) {
        try {
            return codec.read(value);
        } catch (IOException e) {
            throw new UncheckedIOException("control.erasures holds a record that is not an erasure command", e);
        }
    }
}
