package dev.baton.store;

import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Only one Baton writes: the writer key holds this instance ({@code <host> <pid> <unique id>})
 * with a short TTL and is renewed while it runs; taking it starts a new epoch, which every write
 * then carries (see {@link FencedWrites}). Another instance finds it taken and waits until it
 * lapses — unless the holder is a dead process on this same host (a kill -9 moments ago): then it
 * takes over at once, replacing exactly the value it read.
 */
final class WriterLease {

    private static final Logger LOG = Logger.getLogger(WriterLease.class);

    /** What {@link #renew} found. */
    enum Renewal { OURS, LOST, REDIS_BEHIND }

    private final RedisCalls redis;
    private final RedisKeys keys;
    private final long ttlMillis;
    private final FencedWrites fence;
    final String owner;

    WriterLease(RedisCalls redis, RedisKeys keys, long ttlMillis, FencedWrites fence) {
        this(redis, keys, ttlMillis, fence, hostName() + " " + ProcessHandle.current().pid() + " " + UUID.randomUUID());
    }

    WriterLease(RedisCalls redis, RedisKeys keys, long ttlMillis, FencedWrites fence, String owner) {
        this.redis = redis;
        this.keys = keys;
        this.ttlMillis = ttlMillis;
        this.fence = fence;
        this.owner = owner;
    }

    /**
     * True when this instance now holds the lease (it was free, or its holder is a dead process
     * on this host); the fence then carries the new epoch.
     */
    boolean tryAcquire() {
        if (acquire("")) {
            return true;
        }
        String holder = holder();
        if (holder != null && deadOnThisHost(holder) && acquire(holder)) {
            LOG.infof("took over the writer lease at once: its holder (%s) was a process of this host that no longer runs",
                    holder);
            return true;
        }
        return false;
    }

    /** The epoch this acquisition started: 1 when Redis held none (it is empty or lost everything). */
    long epoch() {
        return fence.epoch();
    }

    private boolean acquire(String deadHolder) {
        Response answer = RedisScript.ACQUIRE.run(redis, List.of(keys.writer(), keys.epoch()),
                List.of(owner, Long.toString(ttlMillis), deadHolder));
        long epoch = answer == null ? 0 : answer.toLong();
        if (epoch > 0) {
            fence.epoch(epoch);
            return true;
        }
        return false;
    }

    /** A holder value written by a process of this host that no longer runs (not this one). */
    boolean deadOnThisHost(String holder) {
        String[] parts = holder.split(" ");
        if (parts.length != 3 || !parts[0].equals(hostName()) || holder.equals(owner)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        return ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true);
    }

    /** Who holds it now, for the log. */
    String holder() {
        Response answer = redis.send(Request.cmd(Command.GET).arg(keys.writer()));
        return answer == null ? null : answer.toString();
    }

    /** Extends the lease while this epoch is current; says whether another writer took over or Redis lost data. */
    Renewal renew() {
        return renewal(false);
    }

    /** After Redis lost data: takes the lease and writes this epoch back, unless another writer holds either. */
    boolean reclaim() {
        return renewal(true) == Renewal.OURS;
    }

    private Renewal renewal(boolean restore) {
        Response answer = RedisScript.RENEW.run(redis, List.of(keys.writer(), keys.epoch()),
                List.of(owner, Long.toString(ttlMillis), Long.toString(fence.epoch()), restore ? "1" : "0"));
        long code = answer.toLong();
        return code == 1 ? Renewal.OURS : code == 0 ? Renewal.LOST : Renewal.REDIS_BEHIND;
    }

    void release() {
        RedisScript.RELEASE.run(redis, List.of(keys.writer()), List.of(owner));
    }

    static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException unknown) {
                return "unknown-host";
            }
        }
    }
}
