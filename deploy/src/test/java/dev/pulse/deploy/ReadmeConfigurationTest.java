package dev.pulse.deploy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README names every environment variable a process's configuration reads, so a newcomer finds each one. */
class ReadmeConfigurationTest {

    @ParameterizedTest
    @ValueSource(strings = {"ingest-service", "enrich-service", "aggregate-service", "query-api", "schema-migrate"})
    void everyVariableTheConfigurationReadsIsInTheReadme(String module) throws IOException {
        String properties = Files.readString(Manifests.ROOT.resolve(module).resolve("src/main/resources/application.properties"));
        String readme = Files.readString(Manifests.ROOT.resolve("README.md"));
        Set<String> missing = new TreeSet<>();
        Matcher placeholder = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(properties);
        while (placeholder.find()) {
            if (!readme.contains("`" + placeholder.group(1) + "`")) {
                missing.add(placeholder.group(1));
            }
        }
        assertEquals(Set.of(), missing, module + " reads these variables, which the README does not name");
    }
}
