package dev.baton.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A start after a clean stop: Redis reads its append-only file first (LOADING to commands
 * meanwhile). The embedded Redis is launched without waiting for that, so the rest of the
 * application starts alongside; the store waits for the data, and it recovers within its start, not
 * in the background. Redis loads slowly here ({@value #KEY_LOAD_DELAY_MICROS} µs per key, for
 * {@value #FILLER_KEYS} keys) and answers LOADING at once between keys, as a large data set does.
 */
class StoreLoadingTest {

    /** Redis's own test knob: microseconds spent per key while loading. */
    private static final int KEY_LOAD_DELAY_MICROS = 5_000;
    private static final int TASKS = 30;
    /** Keys besides Baton's few, so that loading takes seconds. */
    private static final int FILLER_KEYS = 800;

    private final Vertx vertx = Vertx.vertx();
    private Path dir;
    private RedisProcess redis;
    private Redis client;
    private Store store;
    private StoreSink sink;

    @AfterEach
    void stop() throws IOException {
        if (store != null) {
            store.halt();
        }
        if (client != null) {
            client.close();
        }
        vertx.closeAndAwait();
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void aRedisLaunchedWithoutWaitingForItsFilesStillLoadingAndAStoreStartedThenRecoversWithinItsStart() throws Exception {
        dir = Files.createTempDirectory("baton-loading-");
        int port = RedisProcess.freePort();
        redis = RedisProcess.launch(RedisBinary.locate(), port, dir, dir.resolve("redis.log"), List.of());
        client = Redis.createClient(vertx, redis.uri().toString());
        Coordinator before = new Coordinator(EngineConfig.defaults(), event -> sink.accept(event), new SplittableRandom(1));
        Store first = store(before);
        first.start();
        assertTrue(first.serving());
        for (int i = 0; i < TASKS; i++) {
            before.submit(TaskSpec.of("loading", Priority.MEDIUM), Clock.systemUTC().millis());
        }
        first.stop(); // the clean stop's final checkpoint: every task in the hash
        client.close();
        for (int i = 0; i < FILLER_KEYS; i++) {
            Resp.call(port, 1_000, "SET", "filler:" + i, "x".repeat(2_048)); // each takes KEY_LOAD_DELAY_MICROS to load
        }
        Resp.call(port, 10_000, "BGREWRITEAOF"); // the data into the RDB base, which Redis loads key by key
        await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(Resp.call(port, 1_000, "INFO", "persistence"))
                .contains("aof_rewrite_in_progress:0"));
        redis.stop();

        redis = RedisProcess.launch(RedisBinary.locate(), port, dir, dir.resolve("redis.log"),
                List.of("--key-load-delay", Integer.toString(KEY_LOAD_DELAY_MICROS),
                        "--loading-process-events-interval-bytes", "1024"), false); // it answers (LOADING) while loading
        Resp.ErrorReply loading = assertThrows(Resp.ErrorReply.class, () -> Resp.call(port, 5_000, "PING"),
                "launched without waiting for the data");
        assertTrue(Resp.isLoading(loading.getMessage()), loading.getMessage());

        client = Redis.createClient(vertx, redis.uri().toString());
        Coordinator engine = new Coordinator(EngineConfig.defaults(), event -> sink.accept(event), new SplittableRandom(2));
        store = store(engine);
        store.start();
        assertTrue(store.serving(), "recovered within start, not in the background");
        assertEquals(TASKS, engine.stats(Clock.systemUTC().millis()).pending());
    }

    /** A store on {@link #client} for {@code engine}, which sends its events to the latest {@link #sink}. */
    private Store store(Coordinator engine) {
        sink = new StoreSink();
        return new Store(new Store.Settings(true, 60_000, 10_000, 86_400_000L, 300, "{t}:"), engine, sink, client,
                Clock.systemUTC(), vertx.getDelegate());
    }
}
