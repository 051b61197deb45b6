package dev.pulse.deploy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prod's secrets/make-secrets never leaves a file with an empty or partial value behind, which a later run would keep. */
class MakeSecretsTest {

    @Test
    void withoutOpensslItStopsAndWritesNothing() throws Exception {
        Path dir = Files.createDirectories(Manifests.ROOT.resolve("deploy/target/make-secrets-" + System.nanoTime()));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // every tool the script uses but openssl
        for (String tool : List.of("dirname", "mv", "rm")) {
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
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
