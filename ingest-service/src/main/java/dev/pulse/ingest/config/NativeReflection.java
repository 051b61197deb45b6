package dev.pulse.ingest.config;

import dev.pulse.web.problem.Problem;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.RawEvent;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.ingest.domain.ErasureStatus;
import dev.pulse.ingest.domain.IngestResult;
import dev.pulse.ingest.domain.Rejection;
import dev.pulse.contract.IsoInstantDeserializer;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Types Jackson writes outside REST signatures (Kafka payloads, Response entities) need this in native mode. */
@RegisterForReflection(targets = {IsoInstantDeserializer.class, RawEvent.class, InvalidEvent.class, ContentMetadata.class, Problem.class, IngestResult.class, Rejection.class,
        ErasureCommand.class, ErasureStatus.class, ErasureStatus.ServicePart.class})
public final class NativeReflection {
    private NativeReflection() {
    }
}
