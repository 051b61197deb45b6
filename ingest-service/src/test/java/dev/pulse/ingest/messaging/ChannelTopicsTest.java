package dev.pulse.ingest.messaging;

import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.ChannelTopics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The producers write each channel with the codec of the topic named here. */
class ChannelTopicsTest {
    @Test
    void eachChannelWritesTheTopicTopicsNames() throws IOException {
        assertEquals(Map.of(
                "outgoing " + Channels.EVENTS_RAW, Topics.RAW,
                "outgoing " + Channels.EVENTS_INVALID, Topics.INVALID,
                "outgoing " + Channels.CATALOG_CONTENT, Topics.CATALOG_CONTENT,
                "outgoing " + Channels.CONTROL_ERASURES, Topics.ERASURES), ChannelTopics.configured());
    }
}
