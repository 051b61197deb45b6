package dev.pulse.enrich.service;

import dev.pulse.enrich.config.EnrichConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

import java.util.Locale;

/** os, browser and device class from a User-Agent string, with Yauaa. Built at start: it takes seconds. */
@Startup
@ApplicationScoped
public class UserAgentParser {
    public record Parsed(String os, String browser, String device) {
        static final Parsed UNKNOWN = new Parsed(null, null, null);
    }

    private final UserAgentAnalyzer analyzer;

    public UserAgentParser(EnrichConfig config) {
        this.analyzer = UserAgentAnalyzer.newBuilder()
                .hideMatcherLoadStats()
                .withCache(config.caches().userAgentSize())
                .withField(UserAgent.DEVICE_CLASS)
                .withField(UserAgent.OPERATING_SYSTEM_NAME)
                .withField(UserAgent.AGENT_NAME)
                // its own test cases: 25 MB of a 256 MB heap whose old generation filled under load (full GCs, issue 15)
                .dropTests()
                .immediateInitialization()
                .build();
    }

    public Parsed parse(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return Parsed.UNKNOWN;
        }
        UserAgent agent;
        synchronized (analyzer) {
            agent = analyzer.parse(userAgent);
        }
        return new Parsed(known(agent.getValue(UserAgent.OPERATING_SYSTEM_NAME)),
                known(agent.getValue(UserAgent.AGENT_NAME)),
                device(agent.getValue(UserAgent.DEVICE_CLASS)));
    }

    /** Yauaa's device classes onto SPEC §2's four devices; robots and the like stay unknown. */
    private static String device(String deviceClass) {
        return switch (deviceClass == null ? "" : deviceClass.toLowerCase(Locale.ROOT)) {
            case "phone", "mobile", "watch", "handheld game console", "ereader" -> "mobile";
            case "tablet" -> "tablet";
            case "tv", "set-top box" -> "tv";
            case "desktop" -> "desktop";
            default -> null;
        };
    }

    /** Yauaa's placeholders are no value: "Unknown…", "??", and "Hacker", its verdict on garbage or attack strings. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("Unknown") || value.startsWith("??") || value.equals("Hacker")
                ? null : value;
    }
}
