package dev.pulse.enrich.config;

import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.EventContext;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.RawEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.contract.IsoInstantDeserializer;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Kafka payloads Jackson reads and writes outside REST signatures need this in native mode. */
@RegisterForReflection(targets = {IsoInstantDeserializer.class, RawEvent.class, EnrichedEvent.class, InvalidEvent.class, ContentMetadata.class,
        UserTraits.class, EventContext.class, ErasureCommand.class})
public final class NativeReflection {
    private NativeReflection() {
    }
}
