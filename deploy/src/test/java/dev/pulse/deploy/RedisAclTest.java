package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prod overlay's Redis, started from its rendered arguments (with the rendered Secrets' values where kubelet
 * would put them) on an embedded Redis, and used as each client would with the URL its Deployment builds: no
 * anonymous access, aggregate writes the real-time views (rt:*) and nothing else, query-api only reads them,
 * ingest runs its rate-limit script on its buckets (rl:*) and can do nothing else.
 */
class RedisAclTest {
    private static List<JsonNode> prod;
    private static RedisServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        prod = Manifests.render("prod");
        JsonNode redis = of("StatefulSet", "redis").at("/spec/template/spec/containers/0");
        Map<String, String> env = env(redis);
        List<String> lines = new ArrayList<>();
        for (JsonNode arg : redis.path("args")) {
            String value = expand(arg.asText(), env);
            if (value.startsWith("--")) {
                lines.add(value.substring(2));
            } else {
                lines.set(lines.size() - 1, lines.getLast() + " " + value);
            }
        }
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        RedisServerBuilder builder = RedisServer.newRedisServer().bind("127.0.0.1").port(port);
        for (String line : lines) {
            builder.setting(line.startsWith("dir ") ? "dir " + Files.createTempDirectory("redis-acl") : line);
        }
        server = builder.build();
        server.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void nobodyGetsInWithoutAUser() throws IOException {
        try (Resp anonymous = new Resp(port)) {
            assertTrue(anonymous.call("GET", "rt:built").startsWith("-NOAUTH"));
        }
    }

    @Test
    void aggregateWritesTheRealtimeViewsAndNothingElse() throws IOException {
        try (Resp aggregate = login("aggregate-service")) {
            assertEquals(":1", aggregate.call("ZADD", "rt:{shop}:te:1", "1", "c1"));
            assertEquals(":1", aggregate.call("PFADD", "rt:{shop}:u:1", "user-1"));
            assertEquals(":2", aggregate.call("INCRBY", "rt:{shop}:ev:1", "2"));
            assertEquals(":1", aggregate.call("EXPIRE", "rt:{shop}:ev:1", "3600"));
            assertEquals("+OK", aggregate.call("SET", "rt:built", "1"));
            assertEquals("*2", aggregate.call("SCAN", "0", "MATCH", "rt:*", "COUNT", "1000"));
            assertEquals("+OK", aggregate.call("MULTI"));
            assertEquals("+QUEUED", aggregate.call("DEL", "rt:built"));
            assertEquals("*1", aggregate.call("EXEC"));
            assertTrue(aggregate.call("SET", "other", "1").startsWith("-NOPERM"), "outside rt:*");
            assertTrue(aggregate.call("FLUSHALL").startsWith("-NOPERM"));
            assertTrue(aggregate.call("KEYS", "*").startsWith("-NOPERM"));
            assertTrue(aggregate.call("CONFIG", "GET", "requirepass").startsWith("-NOPERM"));
            assertTrue(aggregate.call("ACL", "LIST").startsWith("-NOPERM"), "the other user's password stays hidden");
        }
    }

    @Test
    void queryApiOnlyReadsThem() throws IOException {
        try (Resp aggregate = login("aggregate-service"); Resp query = login("query-api")) {
            aggregate.call("PFADD", "rt:{app}:u:9", "user-9");
            aggregate.call("SET", "rt:{app}:ev:9", "5");
            assertEquals(":1", query.call("PFCOUNT", "rt:{app}:u:9"));
            assertEquals("*1", query.call("MGET", "rt:{app}:ev:9"));
            assertEquals("*0", query.call("ZRANGE", "rt:{app}:te:9", "0", "-1", "WITHSCORES"));
            assertEquals("+PONG", query.call("PING"));
            assertTrue(query.call("SET", "rt:{app}:ev:9", "6").startsWith("-NOPERM"));
            assertTrue(query.call("DEL", "rt:{app}:u:9").startsWith("-NOPERM"));
        }
    }

    @Test
    void ingestRunsTheRateLimitScriptOnItsBucketsAndNothingElse() throws Exception {
        String script = GlobalBucketScriptText.read();
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                .digest(script.getBytes(StandardCharsets.UTF_8)));
        try (Resp aggregate = login("aggregate-service"); Resp ingest = login("ingest-service")) {
            assertEquals("+PONG", ingest.call("PING"));
            // as ingest does it: EVALSHA first, EVAL when this Redis does not know the script yet
            assertTrue(ingest.call("EVALSHA", sha, "1", "rl:{shop}", "100.0", "200.0", "5", "3000").startsWith("-NOSCRIPT"));
            assertEquals(":0", ingest.call("EVAL", script, "1", "rl:{shop}", "100.0", "200.0", "5", "3000"), "admitted");
            assertEquals(":0", ingest.call("EVALSHA", sha, "1", "rl:{shop}", "100.0", "200.0", "5", "3000"), "admitted by digest");
            assertEquals(":1", ingest.call("EVALSHA", sha, "1", "rl:{shop}", "100.0", "200.0", "400", "3000"),
                    "more than the bucket holds: wait until it is full again (10 tokens at 100/s, at least 1 s)");
            // its keys only, and no command of its own beyond the script's
            assertTrue(ingest.call("EVAL", script, "1", "rt:{shop}:ev:1", "100.0", "200.0", "5", "3000").startsWith("-NOPERM"),
                    "the script on a real-time key");
            aggregate.call("SET", "rt:{shop}:ev:2", "7");
            assertTrue(ingest.call("GET", "rt:{shop}:ev:2").startsWith("-NOPERM"), "reads rt:*");
            assertTrue(ingest.call("HGETALL", "rl:{shop}").startsWith("-NOPERM"), "commands the script does not use");
            assertTrue(ingest.call("DEL", "rl:{shop}").startsWith("-NOPERM"));
            assertTrue(ingest.call("SCAN", "0").startsWith("-NOPERM"));
            assertTrue(ingest.call("EVAL", "return redis.call('GET', KEYS[1])", "1", "rl:{shop}").startsWith("-"),
                    "a script of its own may not read either");
            assertTrue(ingest.call("EVAL", "return redis.call('GET', 'rt:{shop}:ev:2')", "0").startsWith("-"),
                    "nor reach a real-time key without declaring it");
            assertTrue(ingest.call("SCRIPT", "FLUSH").startsWith("-NOPERM"));
            assertTrue(ingest.call("FLUSHALL").startsWith("-NOPERM"));
            assertTrue(ingest.call("CONFIG", "GET", "requirepass").startsWith("-NOPERM"));
            assertTrue(ingest.call("ACL", "LIST").startsWith("-NOPERM"));
            // and the other users may not touch its buckets
            assertTrue(aggregate.call("HSET", "rl:{shop}", "tokens", "1000000").startsWith("-NOPERM"));
        }
    }

    /** Logs in as the service's Deployment does: the user and password of the REDIS_URL it builds. */
    private static Resp login(String service) throws IOException {
        Map<String, String> env = env(of("Deployment", service).at("/spec/template/spec/containers/0"));
        URI url = URI.create(env.get("REDIS_URL"));
        String[] credentials = url.getUserInfo().split(":", 2);
        Resp resp = new Resp(port);
        // the handshake of the Vert.x client Quarkus uses: RESP3 with credentials
        assertTrue(resp.call("HELLO", "3", "AUTH", credentials[0], credentials[1]).startsWith("%"), service + " logs in");
        return resp;
    }

    /** The container's environment as kubelet makes it: Secret values, then $(VAR) expanded in order (operator-made Secrets left out). */
    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode e : container.path("env")) {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            if (ref.isMissingNode()) {
                env.put(e.path("name").asText(), expand(e.path("value").asText(), env));
            } else {
                secret(ref.path("name").asText(), ref.path("key").asText()).ifPresent(value -> env.put(e.path("name").asText(), value));
            }
        }
        return env;
    }

    private static String expand(String value, Map<String, String> env) {
        String expanded = value;
        for (Map.Entry<String, String> e : env.entrySet()) {
            expanded = expanded.replace("$(" + e.getKey() + ")", e.getValue());
        }
        return expanded;
    }

    private static java.util.Optional<String> secret(String name, String key) {
        return prod.stream().filter(o -> o.path("kind").asText().equals("Secret") && o.at("/metadata/name").asText().equals(name)).findFirst()
                .map(secret -> new String(Base64.getMimeDecoder().decode(secret.at("/data/" + key).asText()), StandardCharsets.UTF_8));
    }

    private static JsonNode of(String kind, String name) {
        return Manifests.of(prod, kind, name);
    }

    /** Just enough of RESP: sends a command, reads one whole reply, returns its first line. */
    private static final class Resp implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Resp(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        String call(String... command) throws IOException {
            StringBuilder request = new StringBuilder("*" + command.length + "\r\n");
            for (String part : command) {
                request.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply();
        }

        private String reply() throws IOException {
            String line = line();
            char type = line.charAt(0);
            if (type == '$' || type == '=') {
                int length = Integer.parseInt(line.substring(1));
                if (length >= 0) {
                    in.readNBytes(length + 2);
                }
            } else if (type == '*' || type == '~' || type == '>' || type == '%') {
                int count = Integer.parseInt(line.substring(1)) * (type == '%' ? 2 : 1);
                for (int i = 0; i < count; i++) {
                    reply();
                }
            }
            return line;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                line.append((char) c);
            }
            in.read();
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
