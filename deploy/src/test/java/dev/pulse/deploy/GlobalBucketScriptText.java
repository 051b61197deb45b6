package dev.pulse.deploy;

import java.io.IOException;
import java.nio.file.Files;

/**
 * The text of ingest's rate-limit script, read from its source (deploy does not depend on the services), so that
 * the Redis ACL is tried with the very script ingest sends.
 */
final class GlobalBucketScriptText {
    private static final String SOURCE = "ingest-service/src/main/java/dev/pulse/ingest/service/GlobalBucketScript.java";
    private static final String OPEN = "static final String TEXT = \"\"\"\n";

    private GlobalBucketScriptText() {
    }

    static String read() throws IOException {
        String code = Files.readString(Manifests.ROOT.resolve(SOURCE));
        int start = code.indexOf(OPEN);
        if (start < 0) {
            throw new IllegalStateException("no text block TEXT in " + SOURCE);
        }
        start += OPEN.length();
        int end = code.indexOf("\"\"\";", start);
        // as javac makes a text block: the closing delimiter's line counts for the indentation, then escapes
        return code.substring(start, end).stripIndent().translateEscapes();
    }
}
