package dev.baton.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.EventSink;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskSpec;
import dev.baton.testing.RedisServerProcess;
import dev.baton.testing.WebhookReceiver;
import dev.baton.webhooks.Webhooks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The webhook outbox against a real Redis and a receiver on loopback: a task's end is in the
 * outbox as soon as it is durable (with the journal entry, or with the checkpoint); a delivery not
 * acknowledged when Baton crashes or stops is delivered by the next Baton, with the same id, and
 * leaves the outbox once acknowledged.
 */
class WebhookOutboxTest {

    private static final long LEASE_TTL_MILLIS = 300;
    private static final long ACK_TIMEOUT_MILLIS = 10_000;
    private static final String OUTBOX = "{w}:webhooks";

    private static RedisServerProcess server;
    private static Vertx vertx;
    private static WebhookReceiver receiver;
    private Redis client;
    private final List<Node> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = RedisServerProcess.startNew();
        vertx = Vertx.vertx();
        receiver = WebhookReceiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        vertx.closeAndAwait();
        server.close();
    }

    @BeforeEach
    void connect() {
        client = Redis.createClient(vertx, server.uri());
        send(Request.cmd(Command.FLUSHALL));
        send(Request.cmd(Command.CONFIG).arg("SET").arg("maxmemory-policy").arg("noeviction"));
    }

    @AfterEach
    void halt() {
        nodes.forEach(node -> {
            node.webhooks().stop();
            node.store().halt();
        });
        client.close();
    }

    private Response send(Request request) {
        return client.send(request).await().atMost(Duration.ofSeconds(5));
    }

    /** A Baton: an engine, its store and its webhook deliverer. */
    private record Node(Coordinator engine, Store store, Webhooks webhooks) {
    }

    private Node node(boolean journal, long checkpointMillis) {
        StoreSink sink = new StoreSink();
        EventSink[] forward = new EventSink[1];
        Coordinator engine = new Coordinator(EngineConfig.defaults(), event -> forward[0].accept(event), new SplittableRandom(3));
        forward[0] = sink;
        Store store = new Store(new Store.Settings(journal, checkpointMillis, ACK_TIMEOUT_MILLIS, 86_400_000L, LEASE_TTL_MILLIS,
                "{w}:"), engine, sink, client, Clock.systemUTC(), vertx.getDelegate());
        Webhooks webhooks = new Webhooks(new Webhooks.Settings("s3cret", List.of(100L), 1_000, 3_600_000, 5_000, 4), Map.of(),
                view -> ("{\"id\":\"" + view.id() + "\",\"status\":\"" + view.status() + "\"}").getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC(), new SimpleMeterRegistry());
        webhooks.attach(store);
        Node node = new Node(engine, store, webhooks);
        nodes.add(node);
        store.start();
        await().atMost(Duration.ofSeconds(10)).until(store::serving);
        webhooks.start();
        return node;
    }

    private long outboxSize() {
        return send(Request.cmd(Command.HLEN).arg(OUTBOX)).toLong();
    }

    /** Submits a task with a callback to {@code path} and cancels it: its end, durable. */
    private static String endedTask(Node node, String path) {
        long now = System.currentTimeMillis();
        TaskSpec spec = new TaskSpec(null, "t", null, Priority.MEDIUM, null, List.of(), null, null, false, receiver.url(path));
        String id = node.engine().submit(spec, now).task().id();
        long seq = node.engine().cancel(id, now).seq();
        node.store().durable(seq).await().atMost(Duration.ofMillis(ACK_TIMEOUT_MILLIS + 5_000));
        return id;
    }

    @ParameterizedTest(name = "journal mode: {0}")
    @ValueSource(booleans = {true, false})
    void aDeliveryPendingAtACrashIsDeliveredByTheNextBaton(boolean journal) {
        String path = "/crash-" + journal;
        receiver.answer(path, 503);
        Node first = node(journal, journal ? 3_600_000 : 100);
        String id = endedTask(first, path);
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxSize() == 1 && receiver.received(path).size() >= 2);
        first.webhooks().stop();
        first.store().halt(); // a crash before any acknowledgement: no final checkpoint, the lease lapses
        assertEquals(1, outboxSize(), "the delivery is still pending in Redis");

        receiver.answer(path, 200);
        int before = receiver.received(path).size();
        Node second = node(journal, 3_600_000);
        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received(path).size() > before && outboxSize() == 0);
        List<WebhookReceiver.Received> all = receiver.received(path);
        WebhookReceiver.Received last = all.get(all.size() - 1);
        assertEquals(all.get(0).header("Baton-Delivery"), last.header("Baton-Delivery"), "the same delivery after the restart");
        assertEquals("task.cancelled", last.header("Baton-Event"));
        assertTrue(last.body().contains(id), last.body());
        assertTrue(second.store().serving());
    }

    @ParameterizedTest(name = "journal mode: {0}")
    @ValueSource(booleans = {true, false})
    void aDeliveryPendingAtAStopIsDeliveredAfterTheStart(boolean journal) {
        String path = "/stop-" + journal;
        receiver.answer(path, 500);
        Node first = node(journal, 3_600_000);
        endedTask(first, path);
        if (journal) {
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received(path).size() >= 1);
        } // in checkpoint mode nothing is sent before the end is checkpointed: here, at the stop
        first.webhooks().stop();
        first.store().stop(); // graceful: the final checkpoint writes what checkpoint mode held
        nodes.remove(first);
        assertEquals(1, outboxSize());

        receiver.answer(path, 204);
        int before = receiver.received(path).size();
        node(journal, 3_600_000);
        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received(path).size() > before && outboxSize() == 0);
    }
}
