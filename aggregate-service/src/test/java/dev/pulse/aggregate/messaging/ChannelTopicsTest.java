package dev.pulse.aggregate.messaging;

import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.ChannelTopics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The consumers parse each channel's records with the codec of the topic named here. */
class ChannelTopicsTest {
    @Test
    void eachChannelReadsTheTopicTopicsNames() throws IOException {
        assertEquals(Map.of(
                "incoming " + Channels.EVENTS_ENRICHED, Topics.ENRICHED,
                "incoming " + Channels.EVENTS_INVALID, Topics.INVALID,
                "incoming " + Channels.CONTROL_ERASURES, Topics.ERASURES), ChannelTopics.configured());
    }
}
