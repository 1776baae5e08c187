package dev.baton.store;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.util.UUID;

/**
 * Only one Baton writes a journal: the writer key holds this instance's id with a short TTL and
 * is renewed while it runs. Another instance finds it taken and waits until it lapses (seconds
 * after a crash). Renewal and release touch the key only if it is still ours (a small script).
 */
final class WriterLease {

    /** Ours: extend it. Gone (expired, or Redis lost its data): take it back. Another's: refuse. */
    private static final String RENEW = "local holder = redis.call('get', KEYS[1]) "
            + "if holder == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end "
            + "if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end "
            + "return 0";
    private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end";

    private final RedisCalls redis;
    private final String key;
    private final long ttlMillis;
    final String owner = UUID.randomUUID().toString();

    WriterLease(RedisCalls redis, RedisKeys keys, long ttlMillis) {
        this.redis = redis;
        this.key = keys.writer();
        this.ttlMillis = ttlMillis;
    }

    /** True when this instance now holds the lease. */
    boolean tryAcquire() {
        Response answer = redis.send(Request.cmd(Command.SET).arg(key).arg(owner).arg("NX").arg("PX").arg(ttlMillis));
        return answer != null && "OK".equals(answer.toString());
    }

    /** Who holds it now, for the log. */
    String holder() {
        Response answer = redis.send(Request.cmd(Command.GET).arg(key));
        return answer == null ? null : answer.toString();
    }

    /** False when the lease is no longer ours (it lapsed and another instance took it). */
    boolean renew() {
        Response answer = redis.send(Request.cmd(Command.EVAL).arg(RENEW).arg(1).arg(key).arg(owner).arg(ttlMillis));
        return answer != null && answer.toLong() == 1;
    }

    void release() {
        redis.send(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(key).arg(owner));
    }
}
