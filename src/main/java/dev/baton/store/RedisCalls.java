package dev.baton.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking Redis calls for Baton's own store threads (never an event loop): each waits at most
 * {@code timeout}, so a hung Redis cannot hold a loop forever.
 */
final class RedisCalls {

    private final Redis redis;
    private final Duration timeout;

    RedisCalls(Redis redis, Duration timeout) {
        this.redis = redis;
        this.timeout = timeout;
    }

    Response send(Request request) {
        return redis.send(request).await().atMost(timeout);
    }

    /** The same call for the event loop: a Uni that fails after {@code timeout}. */
    Uni<Response> sendAsync(Request request) {
        return redis.send(request).ifNoItem().after(timeout).fail();
    }

    /**
     * One command on Vert.x's own client, without Mutiny (no operator per call): the future
     * completes on the Redis connection's event loop. No timeout of its own: the caller times it.
     */
    io.vertx.core.Future<io.vertx.redis.client.Response> sendRaw(io.vertx.redis.client.Request request) {
        return redis.getDelegate().send(request);
    }

    /**
     * Waits for a call sent with {@link #sendRaw} (or a script's {@code runAsync}) at {@code sentNanos}
     * ({@link System#nanoTime}) until {@code timeout} after that; its failure, or the timeout, is
     * thrown as a runtime exception.
     */
    io.vertx.redis.client.Response await(io.vertx.core.Future<io.vertx.redis.client.Response> call, long sentNanos) {
        long left = Math.max(0, timeout.toNanos() - (System.nanoTime() - sentNanos));
        try {
            return call.toCompletionStage().toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new io.smallrye.mutiny.TimeoutException();
        }
    }

    /** {@link #batch} for the event loop. */
    Uni<List<Response>> batchAsync(List<Request> requests) {
        return redis.batch(requests).ifNoItem().after(timeout).fail();
    }

    /** One pipeline on one connection: with MULTI … EXEC around it, one atomic step. */
    List<Response> batch(List<Request> requests) {
        return redis.batch(requests).await().atMost(timeout);
    }

    /**
     * A field of a reply that is a map under RESP3 and a flat [field, value, ...] array under
     * RESP2 (CONFIG GET, HGETALL); null when absent.
     */
    static String field(Response reply, String name) {
        if (reply == null) {
            return null;
        }
        try {
            Response value = reply.get(name);
            return value == null ? null : value.toString();
        } catch (RuntimeException notAMap) {
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                if (name.equals(reply.get(i).toString())) {
                    return reply.get(i + 1).toString();
                }
            }
            return null;
        }
    }

    /** The values of a map reply (RESP3) or flat array reply (RESP2), as the bytes Redis sent (no text made of them). */
    static java.util.List<byte[]> valueBytes(Response reply) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        if (reply == null) {
            return out;
        }
        io.vertx.redis.client.Response values = reply.getDelegate();
        if (!values.isMap()) {
            for (int i = 1; i < values.size(); i += 2) {
                out.add(bytes(values.get(i)));
            }
            return out;
        }
        for (String key : values.getKeys()) {
            out.add(bytes(values.get(key)));
        }
        return out;
    }

    /**
     * A bulk reply's bytes, read only: the array the client parsed the value into when it holds
     * exactly the value (it does: the client copies each value into an array of its own), else a
     * copy. Recovery reads hundreds of megabytes this way; a second copy of each journal entry (an
     * entry of a large batch is megabytes, a humongous object for G1) doubled what it allocated.
     */
    static byte[] bytes(io.vertx.redis.client.Response value) {
        io.netty.buffer.ByteBuf buffer = value.toBuffer().getByteBuf();
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.readerIndex() == 0
                && buffer.readableBytes() == buffer.array().length) {
            return buffer.array();
        }
        return value.toBytes();
    }

    /** Every field of a map reply (RESP3) or flat array reply (RESP2). */
    static java.util.Map<String, String> fields(Response reply) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (reply == null) {
            return out;
        }
        if (reply.isArray()) {
            // a flat array: get(key) would scan it from the start for every key (quadratic)
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                out.put(reply.get(i).toString(), reply.get(i + 1).toString());
            }
            return out;
        }
        try {
            for (String key : reply.getKeys()) {
                out.put(key, reply.get(key).toString());
            }
        } catch (RuntimeException notAMap) {
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                out.put(reply.get(i).toString(), reply.get(i + 1).toString());
            }
        }
        return out;
    }
}
