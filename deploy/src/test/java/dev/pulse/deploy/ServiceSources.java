package dev.pulse.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A service's Java sources (src/main/java), read as text. */
final class ServiceSources {
    private static final Pattern INSERT = Pattern.compile("\\bINSERT\\s+INTO\\s+(\\w+)");
    private static final Pattern UPDATE = Pattern.compile("\\bUPDATE\\s+(\\w+)\\s+SET\\b");
    private static final Pattern DELETE = Pattern.compile("\\bDELETE\\s+FROM\\s+(\\w+)");
    private static final Pattern READ = Pattern.compile("\\b(?:FROM|JOIN)\\s+(\\w+)(\\s*\\()?");
    private static final Pattern CALL = Pattern.compile("\\bSELECT\\s+(\\w+)\\s*\\(");
    private static final Pattern UPSERT = Pattern.compile("\\bDO\\s+UPDATE\\b");
    /** the end of the Java string or text block that holds a statement */
    private static final Pattern STRING_END = Pattern.compile("\"\"\"|\"\\s*[)+;,]");

    private ServiceSources() {
    }

    /**
     * The privileges the service's SQL needs ("INSERT t", "UPDATE t", "DELETE t", "SELECT t", "EXECUTE f"). Names
     * that are not tables or functions of the schema (CTEs, unnest, words in comments) are for the caller to drop.
     * SQL keywords are upper case in this code base; lower-case prose is not SQL.
     */
    static Set<String> sqlUses(Path sources) throws IOException {
        Set<String> uses = new TreeSet<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String code = Files.readString(file);
                Matcher insert = INSERT.matcher(code);
                while (insert.find()) {
                    uses.add("INSERT " + insert.group(1));
                    // the statement ends with its string, or where the next INSERT of the same string begins
                    Matcher end = STRING_END.matcher(code);
                    Matcher next = INSERT.matcher(code);
                    int stop = Math.min(end.find(insert.end()) ? end.start() : code.length(), next.find(insert.end()) ? next.start() : code.length());
                    if (UPSERT.matcher(code.substring(insert.end(), stop)).find()) {
                        uses.add("UPDATE " + insert.group(1));
                    }
                }
                add(uses, "UPDATE ", UPDATE.matcher(code));
                add(uses, "DELETE ", DELETE.matcher(code));
                Matcher read = READ.matcher(code);
                while (read.find()) {
                    uses.add((read.group(2) == null ? "SELECT " : "EXECUTE ") + read.group(1));
                }
                add(uses, "EXECUTE ", CALL.matcher(code));
            }
        }
        return uses;
    }

    /** Whether any Java source under {@code sources} contains {@code text}. */
    static boolean mentions(Path sources, String text) throws IOException {
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (Files.readString(file).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void add(Set<String> uses, String privilege, Matcher matcher) {
        while (matcher.find()) {
            uses.add(privilege + matcher.group(1));
        }
    }
}
