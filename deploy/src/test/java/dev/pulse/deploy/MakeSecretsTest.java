package dev.pulse.deploy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * prod's secrets/make-secrets never leaves a file with an empty or partial value behind, which a later run would
 * keep, and adds a key a newer release needs to an existing file without touching the values there.
 */
class MakeSecretsTest {

    @Test
    void withoutOpensslItStopsAndWritesNothing() throws Exception {
        Path dir = Files.createDirectories(Manifests.ROOT.resolve("deploy/target/make-secrets-" + System.nanoTime()));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // every tool the script uses but openssl
        for (String tool : List.of("dirname", "mv", "rm", "cp", "grep", "tail")) {
            Path found = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst().orElseThrow();
            Files.createSymbolicLink(bin.resolve(tool), found);
        }
        Files.copy(Manifests.ROOT.resolve("deploy/k8s/overlays/prod/secrets/make-secrets"), dir.resolve("make-secrets"));
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "make-secrets").directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("PATH", bin.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor() != 0, "it must fail without openssl: " + output);
        assertTrue(output.contains("openssl"), output);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".env")).toList(), "files left behind");
        }
        delete(dir);
    }

    @Test
    void aKeyANewerReleaseNeedsIsAddedToAnExistingFileKeepingItsValues() throws Exception {
        Path dir = Files.createDirectories(Manifests.ROOT.resolve("deploy/target/make-secrets-" + System.nanoTime()));
        Files.copy(Manifests.ROOT.resolve("deploy/k8s/overlays/prod/secrets/make-secrets"), dir.resolve("make-secrets"));
        // an ingest file of the release before the global rate limit, its last line without a newline
        String before = "password=" + "a".repeat(64) + "\nadmin-token=" + "b".repeat(64);
        Files.writeString(dir.resolve("ingest-service.env"), before);
        String output = run(dir);
        assertTrue(output.contains("added redis-password to ingest-service.env"), output);
        List<String> lines = Files.readAllLines(dir.resolve("ingest-service.env"));
        assertEquals(List.of("password=" + "a".repeat(64), "admin-token=" + "b".repeat(64)), lines.subList(0, 2), "existing values kept");
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(2).matches("redis-password=[0-9a-f]{64}"), lines.get(2));
        String after = Files.readString(dir.resolve("ingest-service.env"));
        assertTrue(run(dir).contains("kept ingest-service.env"));
        assertEquals(after, Files.readString(dir.resolve("ingest-service.env")), "a second run changes nothing");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".partial")).toList(), "partial files left");
        }
        delete(dir);
    }

    private static String run(Path dir) throws Exception {
        Process process = new ProcessBuilder("/bin/sh", "make-secrets").directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        return output;
    }

    private static void delete(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
