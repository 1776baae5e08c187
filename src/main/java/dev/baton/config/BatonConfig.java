package dev.baton.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Baton's configuration tree (prefix {@code baton}), names and defaults as in docs/configuration.md.
 * Validated at start-up by {@link BatonConfigValidator}: a wrong value stops Baton with a message
 * naming the property and its value.
 */
@ConfigMapping(prefix = "baton")
public interface BatonConfig {

    /** {@code journal} or {@code checkpoint}: how acknowledged changes reach Redis (docs/guarantees.md). */
    @WithDefault("journal")
    Durability durability();

    @WithDefault("5s")
    Duration checkpointInterval();

    @WithDefault("5s")
    Duration ackTimeout();

    /**
     * A clean stop with at least this many live tasks writes them as the tasks hash's image, read
     * back far faster (docs/redis.md); 0 never does, and a stop then writes an image an earlier
     * stop left back into the hash.
     */
    @WithDefault("100000")
    int stopImageMinTasks();

    @WithDefault("30s")
    Duration leaseTtl();

    @WithDefault("30s")
    Duration agentTtl();

    @WithDefault("30s")
    Duration claimMaxWait();

    /** Waiting this long lifts a task one level; 0s turns aging off. */
    @WithDefault("60s")
    Duration priorityAging();

    @WithDefault("1000000")
    int maxQueued();

    Retry retry();

    @WithDefault("5")
    int maxExpiries();

    /** Retried tasks return one level lower. */
    @WithDefault("true")
    boolean demoteOnRetry();

    /** Per task type settings: {@code baton.types.<type>.max-running} and the retry policy. */
    Map<String, TypeConfig> types();

    /** Rate limits per key pattern: {@code baton.limits."<pattern>".rate}, {@code .window}, {@code .burst}. */
    Map<String, LimitConfig> limits();

    /** Running caps per concurrency key pattern: {@code baton.concurrency."<pattern>".max-running}, {@code .adaptive.*}. */
    Map<String, ConcurrencyConfig> concurrency();

    @WithDefault("24h")
    Duration retention();

    /** How many finished tasks stay in memory at most (the rest are read from Redis). */
    @WithDefault("100000")
    long finishedCacheSize();

    /** Most dependencies one task may name (400 past it). */
    @WithDefault("10000")
    int maxDependencies();

    /** Most tasks one batch may hold (413 past it). */
    @WithDefault("10000")
    int maxBatch();

    /** Most tasks a single claim may ask for. */
    @WithDefault("100")
    int claimMaxTasks();

    /** The writer lease's time to live: how long a crashed Baton keeps a successor waiting. */
    @WithDefault("10s")
    Duration writerLeaseTtl();

    /** How often the engine's timers (leases, backoff, run_at, agent loss) are checked. */
    @WithDefault("100ms")
    Duration tickInterval();

    Scoring scoring();

    Auth auth();

    Redis redis();

    Json json();

    Events events();

    Analytics analytics();

    Ui ui();

    Webhooks webhooks();

    @WithName("embedded-redis")
    EmbeddedRedisConfig embeddedRedis();

    enum Durability {
        journal, checkpoint
    }

    interface Retry {
        @WithDefault("3")
        int maxRetries();

        @WithDefault("10s,30s,60s")
        List<Duration> backoff();
    }

    interface TypeConfig {
        Optional<Integer> maxRunning();

        Optional<Integer> maxRetries();

        Optional<List<Duration>> backoff();

        /** Where this type's tasks without a {@code callback_url} are delivered when they end (a host of {@code baton.webhooks.allowed-hosts}). */
        Optional<String> webhook();

        /** An adaptive running cap: {@code baton.types."<type>".adaptive.min}, {@code .max}, {@code .target-run-time}. */
        Optional<Adaptive> adaptive();
    }

    /** An adaptive running cap between a floor and a ceiling, moved by how the type's (or key's) runs end (docs/model.md). */
    interface Adaptive {
        @WithDefault("1")
        int min();
        int max();

        /** A run slower than this is slow; absent: slower than twice the learned baseline. */
        Optional<Duration> targetRunTime();
    }

    /** A rate limit: {@code rate} cost units per {@code window} for each key the pattern matches, with a burst. */
    interface LimitConfig {
        long rate();

        @WithDefault("1s")
        Duration window();

        Optional<Long> burst();
    }

    /** A running cap for each concurrency key the pattern matches: fixed, adaptive (each key its own), or both. */
    interface ConcurrencyConfig {
        Optional<Integer> maxRunning();

        /** An adaptive cap per key: {@code baton.concurrency."<pattern>".adaptive.min}, {@code .max}, {@code .target-run-time}. */
        Optional<Adaptive> adaptive();
    }

    /** Weights of the assignment score (docs/model.md). */
    interface Scoring {
        @WithDefault("50")
        double exactCapability();

        @WithDefault("30")
        double generalCapability();

        @WithDefault("40")
        double critical();

        @WithDefault("25")
        double high();

        @WithDefault("10")
        double medium();

        @WithDefault("5")
        double low();

        @WithDefault("-20")
        double load();

        @WithDefault("20")
        double history();

        @WithDefault("10")
        double speed();

        @WithDefault("2")
        double speedCap();
    }

    /**
     * Bearer tokens. With none set, the API is open (and Baton listens on loopback only by
     * default). With any set, every /v1 call needs one: producers submit and manage tasks, agents
     * register and run tasks, the admin token may do both.
     */
    interface Auth {
        Optional<String> producerToken();

        Optional<String> agentToken();

        Optional<String> adminToken();

        /** Read-only: GET calls and the event streams; every change is refused (403). */
        Optional<String> viewerToken();

        /**
         * Lets Baton listen beyond loopback with no token set (an open API on the network): without
         * it such a start is refused. With it, a warning at start and {@code auth: open} on /q/health.
         */
        @WithDefault("false")
        boolean allowOpen();

        /**
         * Agent tokens bound to agent ids, by a name of your choice: a holder acts only as the agents
         * whose id matches {@code agents}. The shared {@code agent-token} trusts its holder with any id.
         */
        Map<String, AgentToken> agentTokens();

        interface AgentToken {
            String token();

            /** A glob over agent ids: {@code *} any run of characters, {@code ?} one character; e.g. {@code coder-*}. */
            String agents();
        }
    }

    /** Limits of a request's JSON, past which it is a 400 naming the limit (Jackson's StreamReadConstraints). */
    interface Json {
        /** Deepest nesting of arrays and objects, the request's own braces included. */
        @WithDefault("64")
        int maxDepth();

        /** Longest string value, in characters. */
        @WithDefault("1000000")
        int maxStringLength();

        /** Longest property name, in characters. */
        @WithDefault("1000")
        int maxNameLength();
    }

    interface Redis {
        @WithDefault("{baton}:")
        String keyPrefix();
    }

    /** Event fan-out (docs/events.md): the hub's queue, the replay ring, SSE subscribers, Redis pub/sub. */
    interface Events {
        /** Events the hub holds before dispatch; past it events are dropped for the fan-out (counted), never the engine slowed. */
        @WithDefault("65536")
        int queueSize();

        /** Latest events kept for {@code Last-Event-ID} reconnects; older gaps get a {@code resync} event. */
        @WithDefault("10000")
        int ringSize();

        /**
         * Events one SSE subscriber may have waiting; one that falls further behind is cut off. Room
         * for a whole batch submit's events, so a burst does not cut off readers that keep up.
         */
        @WithDefault("16384")
        int subscriberBuffer();

        /** How often idle SSE streams get a {@code : keep-alive} comment. */
        @WithDefault("15s")
        Duration heartbeat();

        /** Publish to Redis pub/sub ({@code task_notifications}, {@code task:<id>:events}). */
        @WithDefault("true")
        boolean redisPublish();

        /**
         * The longest pause of the hub between dispatches: 2 ms per 8 events of the last batch, up to
         * this. Under load each SSE subscriber then gets one write per pause (latency for CPU); a
         * trickle goes out within a few milliseconds, and when idle the first event goes at once.
         */
        @WithDefault("6ms")
        Duration dispatchLinger();

        /** How long a notification waits for others to share its Redis call (throughput over latency). */
        @WithDefault("5ms")
        Duration redisLinger();

        /** Notifications waiting for Redis; past it they are dropped and counted. */
        @WithDefault("65536")
        int redisQueueSize();

        /**
         * Events waiting for the broker channel (when a connector is configured): they go out in
         * order as the connector takes them; past it they are dropped and counted.
         */
        @WithDefault("10000")
        int brokerBuffer();
    }

    /** The per-minute figures of the last 24 hours behind {@code GET /v1/analytics} and the dashboard. */
    interface Analytics {
        /**
         * Events waiting to be recorded (rounded up to a power of two; the ring is allocated at start);
         * past it they are dropped for the analytics (counted).
         */
        @WithDefault("65536")
        int queueSize();

        /** Task types plus agents that get their own series; later ones count only in the total. */
        @WithDefault("1000")
        int maxSeries();
    }

    /** Webhooks on task end (docs/api.md#webhooks): where Baton may call, how it signs, how long it retries. */
    interface Webhooks {
        /** Hosts Baton may call back: exact names, or {@code *.domain} for any name under it. None: no callbacks. */
        Optional<List<String>> allowedHosts();

        /** The HMAC-SHA256 key of {@code Baton-Signature}; required with allowed hosts. Never logged. */
        Optional<String> secret();

        /** Waits before each retry of a failed delivery; the last repeats. */
        @WithDefault("1s,5s,30s,2m,10m")
        List<Duration> backoff();

        /** Attempts after which a delivery is given up (counted from Baton's last start). */
        @WithDefault("20")
        int maxAttempts();

        /** Time since the task ended after which a failing delivery is given up. */
        @WithDefault("24h")
        Duration maxAge();

        /** Longest wait for a receiver to connect, and then to answer. */
        @WithDefault("10s")
        Duration timeout();

        /** Most deliveries in flight at once; the others wait their turn. */
        @WithDefault("16")
        int maxConcurrent();
    }

    /** The dashboard at {@code /ui}. */
    interface Ui {
        /** How long a dashboard session (signed in with a token) lasts. */
        @WithDefault("8h")
        Duration sessionExpiry();
    }

    interface EmbeddedRedisConfig {
        @WithDefault("./data")
        String dataDir();

        /** Unset: a free port chosen at the first start, kept in the data directory and reused. */
        Optional<Integer> port();
    }
}
