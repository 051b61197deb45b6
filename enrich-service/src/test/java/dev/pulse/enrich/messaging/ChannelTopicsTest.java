package dev.pulse.enrich.messaging;

import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.ChannelTopics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RawEventLoop names its topics in code; the channels' topics are in application.properties. */
class ChannelTopicsTest {
    @Test
    void eachChannelReadsTheTopicTopicsNames() throws IOException {
        assertEquals(Map.of(
                "incoming " + Channels.CATALOG_CONTENT, Topics.CATALOG_CONTENT,
                "incoming " + Channels.CONTROL_ERASURES, Topics.ERASURES), ChannelTopics.configured());
    }
}
