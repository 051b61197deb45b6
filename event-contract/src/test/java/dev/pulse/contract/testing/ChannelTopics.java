package dev.pulse.contract.testing;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The topic of each messaging channel in a service's application.properties. The names there repeat the constants
 * of Topics (the connector and the manifests tests read them from the file): a service's test compares the two.
 */
public final class ChannelTopics {
    private static final Pattern TOPIC = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([\\w-]+)\\.topic");

    private ChannelTopics() {
    }

    /** "incoming events-enriched" → "events.enriched", for every channel of the service on the classpath. */
    public static Map<String, String> configured() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = ChannelTopics.class.getClassLoader().getResourceAsStream("application.properties")) {
            properties.load(in);
        }
        Map<String, String> topics = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> {
            Matcher channel = TOPIC.matcher(name);
            if (channel.matches()) {
                topics.put(channel.group(1) + " " + channel.group(2), properties.getProperty(name).trim());
            }
        });
        return topics;
    }
}
