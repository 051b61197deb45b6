package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.aggregate.service.ErasureService;
import dev.pulse.contract.ErasureCommand;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Executes erasure commands (control.erasures) once each; the offset is committed after the erasure committed. */
@ApplicationScoped
public class ErasureConsumer {
    private final ErasureService erasures;
    private final ObjectMapper mapper;

    public ErasureConsumer(ErasureService erasures, ObjectMapper mapper) {
        this.erasures = erasures;
        this.mapper = mapper;
    }

    @Incoming(Channels.CONTROL_ERASURES)
    public Uni<Void> consume(String value) {
        ErasureCommand command = parse(value);
        return UntilStored.retry(erasures.erase(command), "erasure " + command.erasureId()).replaceWithVoid();
    }

    /** ingest writes this topic from the same contract; a record that does not parse is a bug to stop on. */
    private ErasureCommand parse(String value) {
        try {
            return mapper.readValue(value, ErasureCommand.class);
        } catch (IOException e) {
            throw new UncheckedIOException("control.erasures holds a record that is not an erasure command", e);
        }
    }
}
