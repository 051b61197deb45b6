package dev.pulse.deploy.local;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An embedded Redis for the stack, snapshotting to disk; real-time views are rebuilt if it ever loses them. */
final class Cache implements AutoCloseable {
    private final RedisServer server;
    private final Path dir;
    final String uri;

    private Cache(RedisServer server, Path dir, String uri) {
        this.server = server;
        this.dir = dir;
        this.uri = uri;
    }

    static Cache embedded(Path dir, int port) throws IOException {
        Files.createDirectories(dir);
        RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                .setting("dir " + dir.toAbsolutePath()).setting("save 60 1").setting("appendonly no")
                // derived data: capped, least recently used views evicted (every view key has a TTL; marker and epoch stay)
                .setting("maxmemory 256mb").setting("maxmemory-policy volatile-lru").build();
        server.start();
        return new Cache(server, dir, "redis://127.0.0.1:" + port);
    }

    static Cache external(String uri) {
        return new Cache(null, null, uri);
    }

    /** Stops the embedded server and starts it again on the same port without its snapshot: every key is gone. */
    void restartEmpty() throws IOException {
        if (server == null) {
            throw new IllegalStateException("the cache is external");
        }
        server.stop();
        Files.deleteIfExists(dir.resolve("dump.rdb"));
        server.start();
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.stop();
        }
    }
}
