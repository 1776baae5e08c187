package dev.baton.store;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script from {@code src/main/resources/redis/<name>.lua} (each begins with what its KEYS,
 * ARGV and result are), run by its SHA1 with EVALSHA; a Redis that does not know it yet
 * (restarted, SCRIPT FLUSH) answers NOSCRIPT and gets the source once with EVAL.
 */
final class RedisScript {

    static final RedisScript FENCED = load("fenced");
    static final RedisScript JOURNAL = load("journal");
    static final RedisScript ACQUIRE = load("acquire");
    static final RedisScript RENEW = load("renew");
    static final RedisScript RELEASE = load("release");

    private final String source;
    private final String sha;

    private RedisScript(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RedisScript load(String name) {
        String path = "/redis/" + name + ".lua";
        try (InputStream in = RedisScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Response run(RedisCalls redis, List<String> keys, List<?> args) {
        try {
            return redis.send(request(Command.EVALSHA, sha, keys, args));
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("NOSCRIPT")) {
                throw e;
            }
            return redis.send(request(Command.EVAL, source, keys, args));
        }
    }

    /**
     * {@link #run} without blocking: the answer on the Redis connection's event loop (after one
     * EVAL when Redis did not know the script).
     */
    io.vertx.core.Future<io.vertx.redis.client.Response> runAsync(RedisCalls redis, List<String> keys, List<?> args) {
        return redis.sendRaw(rawRequest(io.vertx.redis.client.Command.EVALSHA, sha, keys, args)).recover(failure -> {
            if (!String.valueOf(failure.getMessage()).contains("NOSCRIPT")) {
                return io.vertx.core.Future.failedFuture(failure);
            }
            return redis.sendRaw(rawRequest(io.vertx.redis.client.Command.EVAL, source, keys, args));
        });
    }

    /** The arguments are texts, or bytes that go as they are (a journal entry: no string made of them). */
    private static io.vertx.redis.client.Request rawRequest(io.vertx.redis.client.Command command, String script,
            List<String> keys, List<?> args) {
        io.vertx.redis.client.Request request = io.vertx.redis.client.Request.cmd(command)
                .arg(script).arg(keys.size());
        keys.forEach(request::arg);
        for (Object arg : args) {
            if (arg instanceof byte[] bytes) {
                request.arg(bytes);
            } else {
                request.arg((String) arg);
            }
        }
        return request;
    }

    private static Request request(Command command, String script, List<String> keys, List<?> args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        for (Object arg : args) {
            if (arg instanceof byte[] bytes) {
                request.arg(bytes);
            } else {
                request.arg((String) arg);
            }
        }
        return request;
    }
}
