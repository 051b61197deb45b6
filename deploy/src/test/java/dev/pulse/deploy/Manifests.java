package dev.pulse.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Renders a kustomize overlay offline with {@code kubectl kustomize}, as an operator would: from a copy of
 * deploy/k8s without any secret file, into which prod's secrets/make-secrets writes fresh ones when asked.
 */
final class Manifests {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    record Rendering(int exit, String output) {
    }

    private Manifests() {
    }

    /** The overlay's objects; prod with secrets made by its own script. */
    static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
        Rendering rendering = kustomize(overlay, true);
        assertEquals(0, rendering.exit(), rendering.output());
        List<JsonNode> objects = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(rendering.output())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(objects::add);
        }
        return objects;
    }

    /** The rendered object of this kind and name; fails the test if there is none. */
    static JsonNode of(List<JsonNode> objects, String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind) && o.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static Rendering kustomize(String overlay, boolean makeSecrets) throws IOException, InterruptedException {
        Path copy = ROOT.resolve("deploy/target/k8s-" + overlay + "-" + UUID.randomUUID());
        Path source = ROOT.resolve("deploy/k8s");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().endsWith(".env")) {
                    Files.copy(file, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Path secrets = copy.resolve("overlays/prod/secrets");
        if (makeSecrets && overlay.equals("prod")) {
            Rendering made = run(secrets, "sh", "make-secrets");
            assertEquals(0, made.exit(), made.output());
        }
        try {
            return run(copy, "kubectl", "kustomize", copy.resolve("overlays").resolve(overlay).toString());
        } catch (IOException e) {
            Assumptions.abort("kubectl is not installed: " + e.getMessage());
            throw e;
        } finally {
            // the copy holds freshly made secrets: gone once rendered
            try (Stream<Path> files = Files.walk(copy)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private static Rendering run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Rendering(process.waitFor(), output);
    }
}
