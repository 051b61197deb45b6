package dev.pulse.aggregate.config;

import dev.pulse.aggregate.repository.RealtimeRepository;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.contract.IsoInstantDeserializer;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Kafka and Redis payloads Jackson reads and writes outside REST signatures need this in native mode. */
@RegisterForReflection(targets = {IsoInstantDeserializer.class, EnrichedEvent.class, InvalidEvent.class, UserTraits.class, RealtimeRepository.RecentEvent.class,
        ErasureCommand.class})
public final class NativeReflection {
    private NativeReflection() {
    }
}
