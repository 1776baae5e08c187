package dev.baton.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.engine.EngineInvariants;
import dev.baton.engine.AgentSpec;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.Coordinator;
import dev.baton.engine.EngineConfig;
import dev.baton.engine.EventSink;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskSpec;
import dev.baton.engine.ScheduleControl;
import dev.baton.engine.ScheduleRecord;
import dev.baton.engine.ScheduleSpec;
import dev.baton.engine.ScheduleTemplate;
import dev.baton.engine.ScheduleView;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.AdaptiveSettings;
import dev.baton.engine.TypeSettings;
import dev.baton.engine.TypeView;
import dev.baton.engine.TaskView;
import dev.baton.testing.RedisServerProcess;
import dev.baton.testing.RedisSubscriber;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.baton.engine.CompletionResult;
import dev.baton.engine.ConflictException;
import dev.baton.engine.SubmitResult;
import dev.baton.engine.TaskPage;
import dev.baton.engine.TaskQuery;
import dev.baton.engine.TaskStatus;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store against a real Redis: what one Baton wrote, the next one recovers exactly — from the
 * journal, from checkpoints, after a crash (no final checkpoint) and after Redis lost everything.
 */
class StoreTest {

    private static final long LEASE_TTL_MILLIS = 300;
    /** Long enough for a first write on a busy machine (cold serializers, scripts loaded once). */
    private static final long ACK_TIMEOUT_MILLIS = 10_000;

    private static RedisServerProcess server;
    private static Vertx vertx;
    private Redis client;
    private final List<Store> stores = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        server = RedisServerProcess.startNew();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopRedis() {
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
        stores.forEach(Store::halt);
        client.close();
    }

    private Response send(Request request) {
        return client.send(request).await().atMost(Duration.ofSeconds(5));
    }

    /** A Baton: an engine with its store on the shared Redis. */
    private record Node(Coordinator engine, Store store) {
    }

    private Node node(boolean journal, long checkpointMillis) {
        return node(journal, checkpointMillis, EngineConfig.defaults());
    }

    private Node node(boolean journal, long checkpointMillis, EngineConfig config) {
        return node(journal, checkpointMillis, config, store -> { });
    }

    private Node node(boolean journal, long checkpointMillis, EngineConfig config, java.util.function.Consumer<Store> beforeStart) {
        StoreSink sink = new StoreSink();
        EventSink[] forward = new EventSink[1];
        Coordinator engine = new Coordinator(config, event -> forward[0].accept(event), new SplittableRandom(3));
        forward[0] = sink;
        Store store = new Store(new Store.Settings(journal, checkpointMillis, ACK_TIMEOUT_MILLIS, 86_400_000L, LEASE_TTL_MILLIS, "{t}:"),
                engine, sink, client, Clock.systemUTC(), vertx.getDelegate());
        stores.add(store);
        beforeStart.accept(store);
        store.start();
        await().atMost(Duration.ofSeconds(10)).until(store::serving);
        return new Node(engine, store);
    }

    /** Until the checkpoint marker has reached {@code seq}. */
    private void awaitCheckpointAt(long seq) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Response marker = send(Request.cmd(Command.GET).arg("{t}:checkpoint"));
            return marker != null && marker.toLong() >= seq;
        });
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private static void durable(Node node, long seq) {
        node.store().durable(seq).await().atMost(Duration.ofMillis(ACK_TIMEOUT_MILLIS + 5_000));
    }

    /** Submits, runs and completes some tasks; returns the ids by what became of them. */
    private static Map<String, List<String>> work(Node node) {
        Coordinator engine = node.engine();
        engine.registerAgent(new AgentSpec("w", Set.of("t"), 2, Map.of()), now());
        List<String> pending = new ArrayList<>();
        List<String> done = new ArrayList<>();
        long seq = 0;
        for (int i = 0; i < 6; i++) {
            var r = engine.submit(TaskSpec.of("t", Priority.values()[i % 4]).withPayload("{\"i\":" + i + "}"), now());
            pending.add(r.task().id());
            seq = r.seq();
        }
        ClaimedTask first = engine.claim("w", 1, now()).get(0);
        seq = engine.complete(first.task().id(), first.leaseId(), "{\"ok\":true}", now()).seq();
        pending.remove(first.task().id());
        done.add(first.task().id());
        var child = engine.submit(TaskSpec.of("t", Priority.LOW).withDependsOn(List.of(pending.get(0))), now());
        seq = child.seq();
        durable(node, seq);
        return Map.of("pending", pending, "done", done, "waiting", List.of(child.task().id()));
    }

    private static void assertSameTasks(Node beforeNode, Node afterNode, Map<String, List<String>> ids) {
        Coordinator before = beforeNode.engine();
        Coordinator after = afterNode.engine();
        for (String id : ids.get("done")) {
            // finished tasks are read from memory if recent, else from their Redis key
            dev.baton.engine.TaskRecord kept = afterNode.store().finished(id);
            TaskView a = before.task(id, now());
            String result = kept != null ? kept.result() : after.task(id, now()).result();
            assertEquals(a.result(), result, id);
        }
        for (String group : List.of("pending", "waiting")) {
            for (String id : ids.get(group)) {
                TaskView a = before.task(id, now());
                TaskView b = after.task(id, now());
                assertEquals(a.status(), b.status(), id);
                assertEquals(a.queuePosition(), b.queuePosition(), id);
                assertEquals(a.payload(), b.payload(), id);
                assertEquals(a.result(), b.result(), id);
                assertEquals(a.waitingOn(), b.waitingOn(), id);
            }
        }
        EngineInvariants.check(after);
    }

    /**
     * Journal mode's pub/sub: an entry publishes its events' messages in the same call, and a
     * PUBLISH Redis refuses (an ACL without the channel) is told to the notices, never a failed write.
     */
    @Test
    void anEntryPublishesItsEventsMessagesAndAPublishTheAclRefusesDoesNotFailTheWrite() throws Exception {
        send(Request.cmd(Command.ACL).arg("SETUSER").arg("nopub").arg("on").arg(">nopub-pw").arg("~*").arg("resetchannels")
                .arg("&allowed").arg("+@all"));
        client.close();
        client = Redis.createClient(vertx, "redis://nopub:nopub-pw@127.0.0.1:" + server.port());
        List<String> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        JournalNotices notices = new JournalNotices() {
            @Override
            public void messages(List<TaskEvent> events, List<String> into) {
                for (TaskEvent event : events) { // odd seqs to a channel the ACL denies
                    into.add(event.seq() % 2 == 0 ? "allowed" : "denied");
                    into.add("seq " + event.seq());
                }
            }

            @Override
            public void sent(List<TaskEvent> events, Throwable failure) {
                outcomes.add(failure == null ? "published" : failure.getMessage());
            }
        };
        try (RedisSubscriber subscriber = new RedisSubscriber(server.uri()).subscribe("allowed").subscribe("denied")) {
            Node node = node(true, 60_000, EngineConfig.defaults(), store -> store.notifyWith(notices));
            long seq = 0;
            for (int i = 0; i < 4; i++) {
                seq = node.engine().submit(TaskSpec.of("t", Priority.HIGH), now()).seq();
                durable(node, seq); // one entry per submit
            }
            long last = seq;
            await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.on("allowed").size() == 2);
            assertEquals(List.of("seq " + (last - 2), "seq " + last), subscriber.on("allowed"));
            assertEquals(List.of(), subscriber.on("denied"));
            assertTrue(node.store().ready(), "the journal takes writes");
            assertEquals(4, outcomes.size(), outcomes.toString());
            assertEquals(2, outcomes.stream().filter(o -> o.contains("1 of the 1 pub/sub messages of a journal entry were refused")
                    && o.contains("publish to the channel")).count(), outcomes.toString());
        }
    }

    /** Notices on "news" and "item:<seq>" that count the events whose messages were built, and how writes went. */
    private static final class CountingNotices implements JournalNotices {
        final java.util.concurrent.atomic.AtomicInteger built = new java.util.concurrent.atomic.AtomicInteger();
        final List<String> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void messages(List<TaskEvent> events, List<String> into) {
            built.addAndGet(events.size());
            for (TaskEvent event : events) {
                into.add("news");
                into.add("seq " + event.seq());
                into.add("item:" + event.seq());
                into.add("seq " + event.seq());
            }
        }

        @Override
        public void sent(List<TaskEvent> events, Throwable failure) {
            outcomes.add(failure == null ? "published" : failure.getMessage());
        }

        @Override
        public List<String> channels() {
            return List.of("news", "item:*");
        }
    }

    /** One submit, durable: one journal entry of one event; its seq. */
    private static long oneEntry(Node node) {
        long seq = node.engine().submit(TaskSpec.of("t", Priority.HIGH), now()).seq();
        durable(node, seq);
        return seq;
    }

    @Test
    void whileNobodyCouldHearThemAnEntrysMessagesAreHeldBackAndTheFirstListenerHasThemFromTheNextWriteOn() {
        send(Request.cmd(Command.CONFIG).arg("RESETSTAT"));
        CountingNotices notices = new CountingNotices();
        Node node = node(true, 60_000, EngineConfig.defaults(), store -> store.notifyWith(notices));
        oneEntry(node); // sent, and Redis finds nobody listening
        int builtFirst = notices.built.get();
        assertEquals(1, builtFirst);
        oneEntry(node);
        oneEntry(node);
        assertEquals(builtFirst, notices.built.get(), "nobody listens: the messages are not even built");
        assertEquals(List.of("published", "published", "published"), notices.outcomes, "held back is as good as published to nobody");
        assertEquals(2, commandCalls("publish"), "the first entry's two messages, then none");

        try (RedisSubscriber news = new RedisSubscriber(server.uri()).subscribe("news")) {
            long heard = oneEntry(node); // held, refused as heard, sent again with its messages
            await().atMost(Duration.ofSeconds(10)).until(() -> news.on("news").size() == 1);
            assertEquals(List.of("seq " + heard), news.on("news"));
            long next = oneEntry(node);
            await().atMost(Duration.ofSeconds(10)).until(() -> news.on("news").size() == 2);
            assertEquals("seq " + next, news.on("news").get(1));
        }
        int afterNews = notices.built.get();
        for (int i = 0; i < Journal.LOOK_EVERY + 2; i++) {
            oneEntry(node); // the listener left: within LOOK_EVERY writes Redis says so, and they are held again
        }
        int sentSince = notices.built.get() - afterNews;
        assertTrue(sentSince <= Journal.LOOK_EVERY, "messages held again once nobody listens; built " + sentSince);

        try (RedisSubscriber one = new RedisSubscriber(server.uri()).subscribe("item:" + (node.engine().lastSeq() + 1))) {
            long heard = oneEntry(node); // a channel the pattern item:* takes in
            await().atMost(Duration.ofSeconds(10)).until(() -> one.on("item:" + heard).size() == 1);
        }
        for (int i = 0; i < Journal.LOOK_EVERY + 2; i++) {
            oneEntry(node);
        }
        try (RedisSubscriber pattern = new RedisSubscriber(server.uri()).psubscribe("n?ws")) {
            long heard = oneEntry(node); // a pattern subscriber may match any channel
            await().atMost(Duration.ofSeconds(10)).until(() -> pattern.on("news").size() == 1);
            assertEquals(List.of("seq " + heard), pattern.on("news"));
        }
        assertTrue(notices.outcomes.stream().allMatch("published"::equals), notices.outcomes.toString());
        assertTrue(node.store().ready());
    }

    @Test
    void aReplicasSubscribersHearTheMessagesThePrimaryHasNoListenerFor() throws Exception {
        CountingNotices notices = new CountingNotices();
        Node node = node(true, 60_000, EngineConfig.defaults(), store -> store.notifyWith(notices));
        oneEntry(node);
        oneEntry(node); // held: nobody listens, no replica
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("baton-replica-");
        int port = RedisProcess.freePort();
        RedisProcess replica = RedisProcess.launch(RedisBinary.locate(), port, dir, dir.resolve("redis.log"),
                List.of("--replicaof", "127.0.0.1", Integer.toString(server.port())));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> send(Request.cmd(Command.INFO).arg("replication")).toString()
                    .contains("state=online"));
            try (RedisSubscriber onReplica = new RedisSubscriber("redis://127.0.0.1:" + port).subscribe("news")) {
                long heard = oneEntry(node);
                await().atMost(Duration.ofSeconds(10)).until(() -> onReplica.on("news").size() == 1);
                assertEquals(List.of("seq " + heard), onReplica.on("news"));
            }
        } finally {
            replica.stop();
        }
    }

    @Test
    void aUserWhoMayNotAskWhetherAnyoneListensSendsEveryMessage() {
        send(Request.cmd(Command.ACL).arg("SETUSER").arg("noinfo").arg("on").arg(">noinfo-pw").arg("~*").arg("&*")
                .arg("+@all").arg("-info"));
        client.close();
        client = Redis.createClient(vertx, "redis://noinfo:noinfo-pw@127.0.0.1:" + server.port());
        CountingNotices notices = new CountingNotices();
        Node node = node(true, 60_000, EngineConfig.defaults(), store -> store.notifyWith(notices));
        for (int i = 0; i < Journal.LOOK_EVERY + 2; i++) {
            oneEntry(node);
        }
        assertEquals(Journal.LOOK_EVERY + 2, notices.built.get(), "every entry's messages are built and sent");
        assertTrue(notices.outcomes.stream().allMatch("published"::equals), notices.outcomes.toString());
        assertTrue(node.store().ready());
    }

    private long commandCalls(String command) {
        String stats = send(Request.cmd(Command.INFO).arg("commandstats")).toString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void afterACrashTheJournalBringsBackEverythingAcknowledged() {
        Node first = node(true, 3_600_000);
        Map<String, List<String>> ids = work(first);
        first.store().halt(); // a crash: no final checkpoint, the writer lease lapses

        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
        assertEquals(2, second.engine().agent("w", now()).maxConcurrency());
    }

    @Test
    void whatABatonWroteBeforeTheCompactFormatIsRecovered() {
        Node first = node(true, 3_600_000); // one checkpoint, asked for: none may trim the late submit away before the halt
        Map<String, List<String>> ids = work(first);
        first.store().checkpointNow();
        awaitCheckpointAt(first.engine().lastSeq());
        var late = first.engine().submit(TaskSpec.of("t", Priority.HIGH).withPayload("{\"late\":true}"), now());
        durable(first, late.seq()); // in the journal only
        first.store().halt();
        // everything Redis holds, rewritten as the mapper wrote it before: records and journal entries
        RedisCalls.fields(send(Request.cmd(Command.HGETALL).arg("{t}:tasks"))).forEach((id, json) ->
                send(Request.cmd(Command.HSET).arg("{t}:tasks").arg(id).arg(StoreCodec.write(StoreCodec.task(json)))));
        for (String id : ids.get("done")) {
            Response kept = send(Request.cmd(Command.GET).arg("{t}:task:" + id));
            send(Request.cmd(Command.SET).arg("{t}:task:" + id).arg(StoreCodec.write(StoreCodec.task(kept.toString()))));
        }
        Response entries = send(Request.cmd(Command.XRANGE).arg("{t}:journal").arg("-").arg("+"));
        assertTrue(entries.size() > 0);
        send(Request.cmd(Command.DEL).arg("{t}:journal"));
        for (Response entry : entries) {
            List<dev.baton.engine.TaskEvent> events = StoreCodec.journal(RedisCalls.fields(entry.get(1)).get("e")).stream()
                    .map(e -> new dev.baton.engine.TaskEvent(e.seq(), e.type() == null ? dev.baton.engine.EventType.QUEUED : e.type(),
                            e.task() == null ? null : e.task().id(), null, null, null, e.agentId(), null, null, 0L, e.task(),
                            e.agent(), null, e.settings()))
                    .toList();
            String before = StoreCodec.write(new StoreCodec.Batch(events));
            send(Request.cmd(Command.XADD).arg("{t}:journal").arg(entry.get(0).toString()).arg("e").arg(before));
        }

        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
        assertEquals("{\"late\":true}", second.engine().task(late.task().id(), now()).payload());
        assertEquals(first.engine().task(late.task().id(), now()).queuePosition(),
                second.engine().task(late.task().id(), now()).queuePosition());
    }

    @Test
    void callsWaitingOnEventLoopsAreAnsweredEachOnItsOwnContext() {
        Node node = node(true, 3_600_000);
        List<java.util.concurrent.CompletableFuture<Boolean>> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int loop = 0; loop < 3; loop++) {
            io.vertx.core.Context context = vertx.getDelegate().getOrCreateContext();
            context.runOnContext(v -> {
                for (int i = 0; i < 50; i++) {
                    java.util.concurrent.CompletableFuture<Boolean> answer = new java.util.concurrent.CompletableFuture<>();
                    answers.add(answer);
                    long seq = node.engine().submit(TaskSpec.of("t", Priority.HIGH), now()).seq();
                    node.store().durable(seq).subscribe().with(
                            ok -> answer.complete(io.vertx.core.Vertx.currentContext() == context), answer::completeExceptionally);
                }
            });
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() == 150 && answers.stream().allMatch(a -> a.isDone()));
        assertTrue(answers.stream().allMatch(a -> a.join()), "every call answered on the context it waited from");
    }

    @Test
    void aBatonRecoveredFromTheJournalWritesItAllInItsFinalCheckpoint() {
        Node first = node(true, 3_600_000);
        Map<String, List<String>> ids = work(first);
        first.store().halt(); // a crash: everything is in the journal only

        Node second = node(true, 3_600_000);
        second.store().stop(); // a clean stop: the final checkpoint holds every live task
        assertEquals(0, send(Request.cmd(Command.XLEN).arg("{t}:journal")).toLong(), "the journal is trimmed");
        assertEquals(ids.get("pending").size() + ids.get("waiting").size(),
                send(Request.cmd(Command.HLEN).arg("{t}:tasks")).toLong());

        Node third = node(true, 3_600_000);
        assertSameTasks(first, third, ids);
    }

    @Test
    void aCleanStopWithALargeStateWritesItsLiveTasksAsAnImageTheNextStartReadsBack() {
        Node first = node(true, 3_600_000, EngineConfig.defaults(), store -> store.imageFromTasks(3));
        Map<String, List<String>> ids = work(first);
        first.store().stop();
        int live = ids.get("pending").size() + ids.get("waiting").size();
        assertEquals(0, send(Request.cmd(Command.EXISTS).arg("{t}:tasks")).toLong(), "the hash is left empty");
        assertEquals(0, send(Request.cmd(Command.EXISTS).arg("{t}:journal")).toLong(), "the journal too");
        List<String> imaged = new ArrayList<>();
        for (Response entry : send(Request.cmd(Command.XRANGE).arg("{t}:tasks:image").arg("-").arg("+"))) {
            StoreCodec.imageChunk(RedisCalls.valueBytes(entry.get(1)).get(0)).forEach(record -> imaged.add(record.id()));
        }
        assertEquals(live, imaged.size());
        assertEquals(new TreeSet<>(imaged).stream().toList(), imaged, "in id order");

        Node second = node(true, 3_600_000);
        assertEquals(live, second.store().imageTasks());
        assertSameTasks(first, second, ids);
    }

    @Test
    void aStopWhoseImageFailsHalfWayWritesItsLastCheckpointAndTheHalfWrittenImageStaysUnused() {
        Node first = node(true, 3_600_000, EngineConfig.defaults(), store -> {
            store.imageFromTasks(3);
            store.beforeImagePlaced(() -> {
                throw new IllegalStateException("Redis went away half-way");
            });
        });
        Map<String, List<String>> ids = work(first);
        first.store().stop();
        assertEquals(0, send(Request.cmd(Command.EXISTS).arg("{t}:tasks:image")).toLong());
        assertTrue(send(Request.cmd(Command.XLEN).arg("{t}:tasks:image:building")).toLong() > 0, "written, not placed");
        assertEquals(ids.get("pending").size() + ids.get("waiting").size(),
                send(Request.cmd(Command.HLEN).arg("{t}:tasks")).toLong(), "the last checkpoint has every live task");

        Node second = node(true, 3_600_000, EngineConfig.defaults(), store -> store.imageFromTasks(3));
        assertEquals(-1, second.store().imageTasks());
        assertSameTasks(first, second, ids);
        second.store().stop(); // this time the image is placed, and the half-written one is gone
        assertEquals(0, send(Request.cmd(Command.EXISTS).arg("{t}:tasks:image:building")).toLong());
        assertEquals(1, send(Request.cmd(Command.EXISTS).arg("{t}:tasks:image")).toLong());
        assertSameTasks(first, node(true, 3_600_000), ids);
    }

    @Test
    void aDeadLetterRetriedAfterItLeftTheImageKeepsItsRecordWhenTheImageGoes() {
        Node first = node(true, 3_600_000, EngineConfig.defaults(), store -> store.imageFromTasks(3));
        work(first); // 6 live
        first.store().stop();

        Node second = node(true, 3_600_000);
        ClaimedTask dead = second.engine().claim("w", 1, now()).get(0);
        durable(second, second.engine().fail(dead.task().id(), dead.leaseId(), "boom", false, now()).seq());
        second.store().checkpointNow();
        awaitCheckpointAt(second.engine().lastSeq());
        assertEquals("", send(Request.cmd(Command.HGET).arg("{t}:tasks").arg(dead.task().id())).toString());
        for (int i = 0; i < 2; i++) {
            ClaimedTask next = second.engine().claim("w", 1, now()).get(0);
            durable(second, second.engine().complete(next.task().id(), next.leaseId(), "{}", now()).seq());
        }
        durable(second, second.engine().retry(dead.task().id(), now()).seq()); // live again, with the same id
        second.store().checkpointNow(); // beside the image: half of it now, so every live task is marked changed
        awaitCheckpointAt(second.engine().lastSeq());
        second.store().checkpointNow(); // every live task into the hash, the image deleted, then the empty values
        await().atMost(Duration.ofSeconds(10)).until(() -> send(Request.cmd(Command.EXISTS).arg("{t}:tasks:image")).toLong() == 0
                && !RedisCalls.fields(send(Request.cmd(Command.HGETALL).arg("{t}:tasks"))).containsValue(""));
        assertTrue(send(Request.cmd(Command.HGET).arg("{t}:tasks").arg(dead.task().id())).toString().startsWith("{"),
                "the retried task's record stays in the hash");
        second.store().halt();

        Node third = node(true, 3_600_000);
        assertEquals(TaskStatus.PENDING, third.engine().task(dead.task().id(), now()).status());
        EngineInvariants.check(third.engine());
    }

    @Test
    void withImagesOffAStopWritesAnImageAnEarlierStopLeftBackIntoTheHash() {
        Node first = node(true, 3_600_000, EngineConfig.defaults(), store -> store.imageFromTasks(3));
        Map<String, List<String>> ids = work(first);
        first.store().stop();
        assertEquals(1, send(Request.cmd(Command.EXISTS).arg("{t}:tasks:image")).toLong());

        Node second = node(true, 3_600_000, EngineConfig.defaults(), store -> store.imageFromTasks(0));
        second.store().stop(); // as before a rollback to a Baton that does not read images
        assertEquals(0, send(Request.cmd(Command.EXISTS).arg("{t}:tasks:image")).toLong());
        assertEquals(ids.get("pending").size() + ids.get("waiting").size(),
                send(Request.cmd(Command.HLEN).arg("{t}:tasks")).toLong());

        Node third = node(true, 3_600_000);
        assertEquals(-1, third.store().imageTasks());
        assertSameTasks(first, third, ids);
    }

    @Test
    void emptyValuesLeftWithoutAnImageAreIgnoredAndRemovedByTheNextCheckpoint() {
        Node first = node(true, 3_600_000);
        Map<String, List<String>> ids = work(first);
        first.store().checkpointNow();
        awaitCheckpointAt(first.engine().lastSeq());
        first.store().halt();
        // a crash after the step that deleted an image, before its empty values went
        send(Request.cmd(Command.HSET).arg("{t}:tasks").arg("gone1").arg("").arg("gone2").arg(""));

        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
        assertThrows(dev.baton.engine.NotFoundException.class, () -> second.engine().task("gone1", now()));
        durable(second, second.engine().submit(TaskSpec.of("t", Priority.LOW), now()).seq());
        second.store().checkpointNow();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                send(Request.cmd(Command.HEXISTS).arg("{t}:tasks").arg("gone1")).toLong() == 0
                        && send(Request.cmd(Command.HEXISTS).arg("{t}:tasks").arg("gone2")).toLong() == 0);
    }

    @Test
    void tasksThatLeaveOrChangeBesideTheImageAreReadSoAndTheImageGoesOnceHalfOfItLeft() {
        Node first = node(true, 3_600_000, EngineConfig.defaults(), store -> store.imageFromTasks(3));
        Map<String, List<String>> ids = work(first); // 6 live: 5 pending, 1 waiting on the first of them
        first.store().stop();

        Node second = node(true, 3_600_000);
        ClaimedTask done = second.engine().claim("w", 1, now()).get(0);
        durable(second, second.engine().complete(done.task().id(), done.leaseId(), "{\"n\":1}", now()).seq());
        ClaimedTask running = second.engine().claim("w", 1, now()).get(0);
        durable(second, second.engine().lastSeq());
        second.store().checkpointNow();
        awaitCheckpointAt(second.engine().lastSeq());
        assertEquals("", send(Request.cmd(Command.HGET).arg("{t}:tasks").arg(done.task().id())).toString(),
                "a task that left the image leaves an empty value");
        assertEquals(1, send(Request.cmd(Command.EXISTS).arg("{t}:tasks:image")).toLong());
        var late = second.engine().submit(TaskSpec.of("t", Priority.HIGH), now());
        durable(second, late.seq()); // in the journal only
        second.store().halt();

        Node third = node(true, 3_600_000);
        assertEquals(TaskStatus.COMPLETED, third.store().finished(done.task().id()).status());
        assertThrows(dev.baton.engine.NotFoundException.class, () -> third.engine().task(done.task().id(), now()),
                "not live again from the image");
        assertEquals(TaskStatus.ASSIGNED, third.engine().task(running.task().id(), now()).status(), "the hash's record, not the image's");
        assertEquals(first.engine().task(ids.get("waiting").get(0), now()).waitingOn(),
                third.engine().task(ids.get("waiting").get(0), now()).waitingOn());
        assertEquals(TaskStatus.PENDING, third.engine().task(late.task().id(), now()).status());
        EngineInvariants.check(third.engine());

        // two more leave: three of six, the hash beside the image holds half of it
        for (int i = 0; i < 2; i++) {
            ClaimedTask next = third.engine().claim("w", 1, now()).get(0);
            durable(third, third.engine().complete(next.task().id(), next.leaseId(), "{}", now()).seq());
        }
        durable(third, third.engine().complete(running.task().id(), running.leaseId(), "{}", now()).seq());
        third.store().checkpointNow(); // writes them beside the image, then marks every live task changed
        awaitCheckpointAt(third.engine().lastSeq());
        third.store().checkpointNow(); // writes them all into the hash and deletes the image
        await().atMost(Duration.ofSeconds(10)).until(() -> send(Request.cmd(Command.EXISTS).arg("{t}:tasks:image")).toLong() == 0);
        assertEquals(-1, third.store().imageTasks());
        Map<String, String> hash = RedisCalls.fields(send(Request.cmd(Command.HGETALL).arg("{t}:tasks")));
        List<String> live = third.engine().list(new TaskQuery(null, null, null, 100, null), now()).tasks().stream()
                .filter(task -> !task.status().isTerminal()).map(TaskView::id).sorted().toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> RedisCalls.fields(send(Request.cmd(Command.HGETALL).arg("{t}:tasks")))
                .keySet().stream().sorted().toList().equals(live));
        assertFalse(hash.isEmpty());
        third.store().halt();

        Node fourth = node(true, 3_600_000);
        assertEquals(live, fourth.engine().list(new TaskQuery(null, null, null, 100, null), now()).tasks().stream()
                .filter(task -> !task.status().isTerminal()).map(TaskView::id).sorted().toList());
        EngineInvariants.check(fourth.engine());
    }

    @Test
    void typeSettingsSurviveARestartFromTheJournalAndFromACheckpoint() {
        Node first = node(true, 3_600_000);
        durable(first, first.engine().flow().setType(new TypeSettings("t", true, 2, 1, List.of(500L), ADAPTIVE), now()).seq());
        durable(first, first.engine().flow().setType(new TypeSettings("u", true, null, null, null), now()).seq());
        durable(first, first.engine().flow().setType(new TypeSettings("u", false, null, null, null), now()).seq());
        first.store().halt(); // a crash: the settings are only in the journal

        Node second = node(true, 100);
        TypeView t = second.engine().flow().type("t", now());
        assertEquals(List.of(true, 2, 1, List.of(500L)), List.of(t.paused(), t.maxRunning(), t.maxRetries(), t.backoffMillis()));
        assertEquals(4, t.adaptive().limit(), "the adaptive setting is kept; its cap starts again at the ceiling");
        assertEquals(null, second.engine().flow().type("u", now()).changed(), "emptied settings stay empty");
        awaitCheckpointAt(second.engine().lastSeq());
        await().atMost(Duration.ofSeconds(10)).until(() -> send(Request.cmd(Command.XLEN).arg("{t}:journal")).toLong() == 0);
        second.store().halt();

        Node third = node(true, 3_600_000); // from the checkpoint's types hash alone
        assertEquals(List.of(new TypeSettings("t", true, 2, 1, List.of(500L), ADAPTIVE)), third.engine().flow().typeSettings());
    }

    private static final AdaptiveSettings ADAPTIVE = new AdaptiveSettings(1, 4, 30_000L);

    @Test
    void aScheduleSurvivesARestartAndFiresNoTickTwice() {
        long hour = 3_600_000L;
        long t0 = now();
        Node first = node(true, 3_600_000);
        ScheduleSpec spec = new ScheduleSpec("hourly", null, hour, null, ScheduleSpec.CatchUp.ALL,
                new ScheduleTemplate("report", Priority.HIGH, "{\"n\":1}", null, null, true));
        ScheduleView made = first.engine().flow().schedules().create(spec, t0);
        durable(first, made.seq());
        long tick = made.nextRun(); // an hour after the engine's now, in whole seconds
        assertEquals(1, first.engine().flow().schedules().fire(tick + 1_000));
        durable(first, first.engine().lastSeq());
        first.store().halt(); // a crash: the schedule and its run are only in the journal

        Node second = node(true, 100);
        ScheduleRecord back = second.engine().flow().schedules().get("hourly", now()).schedule();
        assertEquals(tick, back.lastTick());
        assertEquals(spec, back.spec());
        String firstRun = ScheduleControl.taskId("hourly", tick);
        assertEquals(TaskStatus.PENDING, second.engine().task(firstRun, now()).status());
        assertEquals(0, second.engine().flow().schedules().fire(tick + 2_000), "the tick ran before the crash");
        assertEquals(1, second.engine().flow().schedules().fire(tick + hour + 1_000));
        assertEquals(List.of(firstRun), second.engine().task(ScheduleControl.taskId("hourly", tick + hour), now()).dependsOn());
        awaitCheckpointAt(second.engine().lastSeq());
        await().atMost(Duration.ofSeconds(10)).until(() -> send(Request.cmd(Command.XLEN).arg("{t}:journal")).toLong() == 0);
        List<ScheduleRecord> written = second.engine().flow().schedules().records();
        second.store().halt();

        Node third = node(true, 3_600_000); // from the checkpoint's schedules hash alone
        assertEquals(written, third.engine().flow().schedules().records());
        assertEquals(0, third.engine().flow().schedules().fire(tick + hour + 2_000));
        durable(third, third.engine().flow().schedules().delete("hourly", now()).seq());
        third.store().halt();
        assertTrue(node(true, 3_600_000).engine().flow().schedules().records().isEmpty(), "a delete is journaled too");
    }

    @Test
    void keyLimitsSurviveARestartFromTheJournalAndFromACheckpoint() {
        Node first = node(true, 3_600_000);
        LimitSettings openai = new LimitSettings("openai:*", 100L, 60_000L, 200L, 3);
        durable(first, first.engine().flow().setLimit(openai, now()).seq());
        LimitSettings tenants = new LimitSettings("tenant:*", null, null, null, null, new AdaptiveSettings(2, 40, 30_000L));
        durable(first, first.engine().flow().setLimit(tenants, now()).seq());
        durable(first, first.engine().flow().setLimit(new LimitSettings("gone", null, null, null, 1), now()).seq());
        durable(first, first.engine().flow().removeLimit("gone", now()).seq());
        first.store().halt(); // a crash: the limits are only in the journal

        Node second = node(true, 100);
        assertEquals(List.of(openai, tenants), second.engine().flow().limitSettings(),
                "the removed limit stays removed; the adaptive one is kept whole");
        awaitCheckpointAt(second.engine().lastSeq());
        await().atMost(Duration.ofSeconds(10)).until(() -> send(Request.cmd(Command.XLEN).arg("{t}:journal")).toLong() == 0);
        second.store().halt();

        Node third = node(true, 3_600_000); // from the checkpoint's limits hash alone
        assertEquals(List.of(openai, tenants), third.engine().flow().limitSettings());
        assertEquals(200L, third.engine().flow().limits(now()).get(0).limit().capacity());
    }

    @Test
    void checkpointsAloneBringBackWhatTheyWrote() {
        Node first = node(false, 50);
        Map<String, List<String>> ids = work(first);
        long seq = first.engine().lastSeq();
        awaitCheckpointAt(seq);
        first.store().halt();

        Node second = node(false, 50);
        assertSameTasks(first, second, ids);
    }

    @Test
    void aCheckpointOfManyChangesGoesToRedisInCallsTooSmallToHoldItUp() {
        Node first = node(false, 3_600_000);
        Coordinator engine = first.engine();
        int small = 4 * Checkpointer.TASKS_PER_CALL + 1;
        for (int i = 0; i < small; i++) {
            engine.submit(TaskSpec.of("t", Priority.HIGH), now());
        }
        String large = "{\"pad\":\"" + "x".repeat(Checkpointer.CHARS_PER_CALL) + "\"}";
        String largeId = null;
        for (int i = 0; i < 2; i++) {
            largeId = engine.submit(TaskSpec.of("t", Priority.LOW).withPayload(large), now()).task().id();
        }
        long before = commandCalls("hset");

        first.store().checkpointNow();
        awaitCheckpointAt(engine.lastSeq());

        // one HSET of live records per call (up to 500 fields each): one big call would have made 3
        long calls = commandCalls("hset") - before;
        assertTrue(calls >= 5, "the records of " + (small + 2) + " tasks went in " + calls + " calls");
        assertEquals(small + 2, send(Request.cmd(Command.HLEN).arg("{t}:tasks")).toLong(), "every record is written");
        first.store().halt();
        Node second = node(false, 3_600_000);
        assertEquals(large, second.engine().task(largeId, now()).payload(), "a large record comes back whole");
    }

    @Test
    void aCheckpointTrimsTheJournalUpToItsMarkerAndRecoveryStillAddsTheRest() {
        Node first = node(true, 100);
        Map<String, List<String>> ids = work(first);
        long seq = first.engine().lastSeq();
        awaitCheckpointAt(seq);
        await().atMost(Duration.ofSeconds(10)).until(() -> send(Request.cmd(Command.XLEN).arg("{t}:journal")).toLong() == 0);
        // more work after the checkpoint lives only in the journal
        var late = first.engine().submit(TaskSpec.of("t", Priority.HIGH), now());
        durable(first, late.seq());
        first.store().halt();

        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
        assertEquals(first.engine().task(late.task().id(), now()).queuePosition(),
                second.engine().task(late.task().id(), now()).queuePosition());
    }

    @Test
    void aCrashBetweenACheckpointAndItsJournalTrimRecoversExactly() {
        Node first = node(true, 3_600_000);
        java.util.concurrent.CountDownLatch crashed = new java.util.concurrent.CountDownLatch(1);
        first.store().afterCheckpointExec(() -> {
            first.store().halt(); // the checkpoint is in, the journal not yet trimmed: then the crash
            crashed.countDown();
            throw new IllegalStateException("crash");
        });
        Map<String, List<String>> ids = work(first);
        first.store().checkpointNow();
        await().atMost(Duration.ofSeconds(10)).until(() -> crashed.getCount() == 0);
        org.junit.jupiter.api.Assertions.assertTrue(send(Request.cmd(Command.XLEN).arg("{t}:journal")).toLong() > 0,
                "the journal still holds entries the checkpoint covers");

        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
    }

    @Test
    void slimJournalRecordsTakeWhatNeverChangesFromTheHashOrAfterACrashBetweenChunksFromTheFinishedKey() {
        Node first = node(true, 3_600_000);
        Coordinator engine = first.engine();
        engine.registerAgent(new AgentSpec("w", Set.of("t"), 4, Map.of()), now());
        List<String> ids = new ArrayList<>();
        for (String name : List.of("inHash", "moved", "expired")) {
            ids.add(engine.submit(TaskSpec.of("t", Priority.HIGH).withPayload("{\"" + name + "\":1}"), now()).task().id());
        }
        first.store().checkpointNow();
        awaitCheckpointAt(engine.lastSeq());
        long seq = 0;
        for (ClaimedTask claimed : engine.claim("w", 3, now())) {
            seq = engine.complete(claimed.task().id(), claimed.leaseId(), "{\"ok\":true}", now()).seq();
        }
        durable(first, seq);
        String journal = send(Request.cmd(Command.XRANGE).arg("{t}:journal").arg("-").arg("+")).toString();
        assertTrue(journal.contains("\"sl\":1") && !journal.contains("\"pl\":"), journal);
        // what a checkpoint chunk does before a crash cuts it short: out of the hash, under the finished key
        Map<String, dev.baton.engine.TaskRecord> records = new java.util.HashMap<>();
        engine.state().tasks().forEach(task -> records.put(task.id(), task));
        send(Request.cmd(Command.HDEL).arg("{t}:tasks").arg(ids.get(1)).arg(ids.get(2)));
        send(Request.cmd(Command.SET).arg("{t}:task:" + ids.get(1)).arg(StoreCodec.task(records.get(ids.get(1)))));
        first.store().halt();

        Node second = node(true, 3_600_000);
        Map<String, dev.baton.engine.TaskRecord> recovered = new java.util.HashMap<>();
        second.engine().state().tasks().forEach(task -> recovered.put(task.id(), task));
        assertEquals(records.get(ids.get(0)), recovered.get(ids.get(0)), "its spec from the hash");
        assertEquals(records.get(ids.get(1)), recovered.get(ids.get(1)), "its spec from its finished key");
        assertEquals("{\"moved\":1}", recovered.get(ids.get(1)).spec().payload());
        assertNull(recovered.get(ids.get(2)), "no record left anywhere: a retention that ran out");
    }

    @Test
    void aLargeCheckpointIsWrittenInChunksAndReadBackWhole() {
        Node first = node(true, 200);
        long seq = 0;
        for (int i = 0; i < 25_000; i++) {
            seq = first.engine().submit(TaskSpec.of("bulk", Priority.values()[i % 4]), now()).seq();
        }
        durable(first, seq);
        awaitCheckpointAt(seq);
        assertEquals(25_000, send(Request.cmd(Command.HLEN).arg("{t}:tasks")).toLong());
        first.store().halt();

        Node second = node(true, 3_600_000);
        assertEquals(25_000, second.engine().stats(now()).pending());
        assertEquals(first.engine().stats(now()).depthByLevel(), second.engine().stats(now()).depthByLevel());
    }

    @Test
    void aCheckpointOfMoreFinishedTasksThanTheClientPipelinesAtOnceIsWritten() {
        Node first = node(true, 200);
        int count = 12_000; // one key per finished task: far past the client's waiting queue of 2048
        List<String> ids = new ArrayList<>();
        long seq = 0;
        for (int i = 0; i < count; i++) {
            ids.add(first.engine().submit(TaskSpec.of("done", Priority.LOW), now()).task().id());
        }
        for (String id : ids) {
            seq = first.engine().cancel(id, now()).seq();
        }
        durable(first, seq);
        awaitCheckpointAt(seq);
        assertEquals(0, send(Request.cmd(Command.EXISTS).arg("{t}:tasks")).toLong());
        for (String id : List.of(ids.get(0), ids.get(count / 2), ids.get(count - 1))) {
            assertEquals(1, send(Request.cmd(Command.EXISTS).arg("{t}:task:" + id)).toLong(), id + " kept for its retention");
        }
    }

    @Test
    void aJournalEntryWrittenTwiceIsReplayedOnce() {
        Node first = node(true, 3_600_000);
        Map<String, List<String>> ids = work(first);
        // a retried write that had been applied after all: the same events again under a later id
        Response entries = send(Request.cmd(Command.XRANGE).arg("{t}:journal").arg("-").arg("+"));
        Response last = entries.get(entries.size() - 1);
        String json = RedisCalls.fields(last.get(1)).get("e");
        send(Request.cmd(Command.XADD).arg("{t}:journal").arg((first.engine().lastSeq() + 100) + "-0").arg("e").arg(json));
        first.store().halt();

        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
    }

    @Test
    void aRedisThatLostEverythingGetsTheWholeStateAgain() {
        Node first = node(true, 100);
        Map<String, List<String>> ids = work(first);
        send(Request.cmd(Command.FLUSHALL));
        await().atMost(Duration.ofSeconds(10)).until(() -> send(Request.cmd(Command.GET).arg("{t}:epoch")) != null
                && send(Request.cmd(Command.HLEN).arg("{t}:tasks")).toLong() > 0);
        first.store().halt();

        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
    }

    /** The analytics' way: a hash whose changed fields go with each checkpoint, all of them when Redis holds nothing of ours. */
    @Test
    void keptFieldsAreWrittenAsTheyChangeReadBackAtRecoveryAndWholeWhenRedisLostEverything() {
        send(Request.cmd(Command.SET).arg("{t}:analytics").arg("baton-analytics 1\n")); // an earlier Baton's text
        Map<String, String> changed = new java.util.LinkedHashMap<>();
        Map<String, String> all = new java.util.concurrent.ConcurrentHashMap<>(Map.of("1", "a", "2", "b"));
        List<Map<String, String>> restored = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.function.Supplier<Map<String, String>> taken = () -> {
            synchronized (changed) {
                Map<String, String> out = Map.copyOf(changed);
                changed.clear();
                return out;
            }
        };
        Node first = node(true, 100, EngineConfig.defaults(),
                store -> store.keepWithCheckpoint(taken, () -> Map.copyOf(all), restored::add));
        assertEquals(List.of(Map.of("legacy", "baton-analytics 1\n")), restored);
        // a Redis without this Baton's epoch gets the whole state, the kept fields with it
        await().atMost(Duration.ofSeconds(10)).until(() -> hash("{t}:analytics:minutes").equals(Map.of("1", "a", "2", "b")));
        assertEquals(null, send(Request.cmd(Command.GET).arg("{t}:analytics")), "the earlier text is gone once minutes are written");

        synchronized (changed) {
            changed.put("2", "b2");
        }
        all.put("2", "b2");
        first.engine().submit(TaskSpec.of("t", Priority.LOW), now());
        await().atMost(Duration.ofSeconds(10)).until(() -> hash("{t}:analytics:minutes").equals(Map.of("1", "a", "2", "b2")));

        all.put("3", "c");
        send(Request.cmd(Command.FLUSHALL));
        await().atMost(Duration.ofSeconds(10)).until(() -> hash("{t}:analytics:minutes").equals(Map.of("1", "a", "2", "b2", "3", "c")));
        first.store().halt();

        restored.clear();
        node(true, 3_600_000, EngineConfig.defaults(), store -> store.keepWithCheckpoint(Map::of, Map::of, restored::add));
        assertEquals(List.of(Map.of("1", "a", "2", "b2", "3", "c")), restored);
    }

    private Map<String, String> hash(String key) {
        return RedisCalls.fields(send(Request.cmd(Command.HGETALL).arg(key)));
    }

    @Test
    void aRedisThatMayEvictKeysIsRefused() {
        send(Request.cmd(Command.CONFIG).arg("SET").arg("maxmemory-policy").arg("allkeys-lru"));
        StoreSink sink = new StoreSink();
        Coordinator engine = new Coordinator(EngineConfig.defaults(), sink, new SplittableRandom(3));
        Store store = new Store(new Store.Settings(true, 1000, 2000, 1000, LEASE_TTL_MILLIS, "{t}:"), engine, sink, client, Clock.systemUTC(), vertx.getDelegate());
        stores.add(store);
        Store.RefusedRedisException refused = assertThrows(Store.RefusedRedisException.class, store::start);
        assertTrue(refused.getMessage().contains("noeviction"), refused.getMessage());
    }

    @Test
    void aSecondBatonWaitsForTheWriterLease() {
        Node first = node(true, 50); // renews its lease every 50 ms
        StoreSink sink = new StoreSink();
        Coordinator engine = new Coordinator(EngineConfig.defaults(), sink, new SplittableRandom(3));
        Store second = new Store(new Store.Settings(true, 50, 2000, 1000, LEASE_TTL_MILLIS, "{t}:"), engine, sink, client, Clock.systemUTC(), vertx.getDelegate());
        stores.add(second);
        second.start();
        assertTrue(!second.serving() && second.problem().contains("writer lease"), second.problem());
        first.store().halt();
        await().atMost(Duration.ofSeconds(10)).until(second::serving);
    }

    /** What a second Baton does when it takes the writer lease: its own value, and the next epoch. */
    private void anotherBatonTakesTheLease() {
        send(Request.cmd(Command.SET).arg("{t}:writer").arg("elsewhere 1 other").arg("PX").arg(60_000));
        send(Request.cmd(Command.INCR).arg("{t}:epoch"));
    }

    @Test
    void aBatonWhoseLeaseAnotherTookAcknowledgesNothingAndStepsDown() {
        Map<Long, String> notified = new java.util.concurrent.ConcurrentHashMap<>();
        Node first = node(true, 3_600_000, EngineConfig.defaults(), store -> store.notifyWith(new JournalNotices() {
            @Override
            public void messages(List<TaskEvent> events, List<String> into) {
                events.forEach(event -> into.addAll(List.of("notices", "seq " + event.seq())));
            }

            @Override
            public void sent(List<TaskEvent> events, Throwable failure) {
                events.forEach(event -> notified.put(event.seq(), failure == null ? "published" : "dropped"));
            }
        }));
        work(first);
        long entries = send(Request.cmd(Command.XLEN).arg("{t}:journal")).toLong();
        anotherBatonTakesTheLease();

        long seq = first.engine().submit(TaskSpec.of("t", Priority.HIGH), now()).seq();
        assertThrows(DurabilityUnavailableException.class, () -> durable(first, seq));
        assertEquals(entries, send(Request.cmd(Command.XLEN).arg("{t}:journal")).toLong(), "nothing written after the takeover");
        assertEquals("published", notified.get(seq - 1), "the events written before the takeover");
        await().atMost(Duration.ofSeconds(10)).until(() -> notified.containsKey(seq));
        assertEquals("dropped", notified.get(seq), "the submit after the takeover: its notification never goes out");
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.store().serving());
        assertTrue(first.store().problem().contains("writer lease"), first.store().problem());
        long later = first.engine().submit(TaskSpec.of("t", Priority.HIGH), now()).seq();
        assertThrows(DurabilityUnavailableException.class, () -> durable(first, later));
    }

    @Test
    void aCheckpointAfterAnotherBatonTookTheLeaseWritesNothing() {
        Node first = node(true, 3_600_000);
        work(first);
        FencedWrites fence = new FencedWrites(new RedisCalls(client, Duration.ofSeconds(5)), new RedisKeys("{t}:"));
        fence.epoch(send(Request.cmd(Command.GET).arg("{t}:epoch")).toLong());
        anotherBatonTakesTheLease(); // between this writer's last lease renewal and its checkpoint
        Map<String, dev.baton.engine.TaskRecord> tasks = new java.util.HashMap<>();
        first.engine().state().tasks().forEach(task -> tasks.put(task.id(), task));

        Checkpointer checkpointer = new Checkpointer(new RedisCalls(client, Duration.ofSeconds(5)), new RedisKeys("{t}:"),
                fence, 86_400_000L);
        FencedWrites.FencedException refused = assertThrows(FencedWrites.FencedException.class,
                () -> checkpointer.write(new StoreSink.Changes(tasks, true, first.engine().lastSeq()), List.of(), List.of(), List.of(), List.of(), null,
                        now()));
        assertTrue(!refused.redisBehind(), refused.getMessage());
        assertEquals(0, send(Request.cmd(Command.HLEN).arg("{t}:tasks")).toLong());
        assertEquals("0", send(Request.cmd(Command.GET).arg("{t}:checkpoint")).toString());
    }

    /** A fence on the shared Redis at epoch 7, whose calls wait 2 s at most. */
    private FencedWrites fenceAtEpoch7() {
        send(Request.cmd(Command.SET).arg("{p}:epoch").arg("7"));
        FencedWrites fence = new FencedWrites(new RedisCalls(client, Duration.ofSeconds(2)), new RedisKeys("{p}:"));
        fence.epoch(7);
        return fence;
    }

    private static FencedWrites.Commands set(String key, String value) {
        return new FencedWrites.Commands().add("SET", key, value);
    }

    private String get(String key) {
        Response value = send(Request.cmd(Command.GET).arg(key));
        return value == null ? null : value.toString();
    }

    @Test
    void pipelinedFencedCallsGoOutWithoutWaitingForTheAnswersBeforeThemAndFinishWaitsForThemAll() {
        FencedWrites.Pipeline pipeline = fenceAtEpoch7().pipeline(4);
        // Redis holds every write (a script may write) for a minute, and still answers reads
        send(Request.cmd(Command.CLIENT).arg("PAUSE").arg("60000").arg("WRITE"));
        try {
            for (int i = 0; i < 3; i++) {
                pipeline.send(set("{p}:k" + i, "v" + i)); // each would time out if it waited for its answer
            }
            assertNull(get("{p}:k0"), "sent, not run: Redis holds writes");
        } finally {
            send(Request.cmd(Command.CLIENT).arg("UNPAUSE"));
        }

        pipeline.finish();

        for (int i = 0; i < 3; i++) {
            assertEquals("v" + i, get("{p}:k" + i));
        }
    }

    @Test
    void aRefusedPipelinedCallIsThrownOnceEveryCallIsAnsweredAndNothingIsSentAfterIt() {
        FencedWrites fence = fenceAtEpoch7();
        FencedWrites.Pipeline pipeline = fence.pipeline(4);
        send(Request.cmd(Command.SET).arg("{p}:epoch").arg("8")); // another Baton took over
        pipeline.send(set("{p}:a", "1"));
        pipeline.send(set("{p}:b", "2"));
        FencedWrites.FencedException refused = assertThrows(FencedWrites.FencedException.class, pipeline::finish);
        assertFalse(refused.redisBehind(), refused.getMessage());
        assertNull(get("{p}:a"));
        assertNull(get("{p}:b"));

        FencedWrites.Pipeline single = fence.pipeline(1);
        assertThrows(FencedWrites.FencedException.class, () -> single.send(set("{p}:c", "3")), "a window of one waits for each answer");
        send(Request.cmd(Command.SET).arg("{p}:epoch").arg("7")); // this one would go through now
        assertThrows(FencedWrites.FencedException.class, () -> single.send(set("{p}:d", "4")));
        assertThrows(FencedWrites.FencedException.class, single::finish);
        assertNull(get("{p}:d"), "nothing is sent after a refusal");
    }

    @Test
    void onlyACheckpointOfABacklogAsksRedisToRewriteItsAppendOnlyFile() {
        Node node = node(true, 3_600_000);
        FencedWrites fence = new FencedWrites(new RedisCalls(client, Duration.ofSeconds(5)), new RedisKeys("{t}:"));
        fence.epoch(send(Request.cmd(Command.GET).arg("{t}:epoch")).toLong());
        Checkpointer checkpointer = new Checkpointer(new RedisCalls(client, Duration.ofSeconds(5)), new RedisKeys("{t}:"),
                fence, 86_400_000L, 10);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(node.engine().submit(TaskSpec.of("t", Priority.HIGH), now()).task().id());
        }
        long before = rewritesAskedFor();

        checkpointer.write(changes(node), List.of(), List.of(), List.of(), List.of(), Map.of(), now());
        assertEquals(before + 1, rewritesAskedFor(), "12 queued tasks, 10 the threshold: a backlog");

        ids.forEach(id -> node.engine().cancel(id, now()));
        checkpointer.write(changes(node), List.of(), List.of(), List.of(), List.of(), Map.of(), now());
        assertEquals(before + 1, rewritesAskedFor(), "12 tasks that ended flow through: no rewrite");
        assertEquals(0, send(Request.cmd(Command.HLEN).arg("{t}:tasks")).toLong());
    }

    private static StoreSink.Changes changes(Node node) {
        Map<String, dev.baton.engine.TaskRecord> tasks = new java.util.HashMap<>();
        node.engine().state().tasks().forEach(task -> tasks.put(task.id(), task));
        return new StoreSink.Changes(tasks, false, node.engine().lastSeq());
    }

    /** How many times Redis was sent BGREWRITEAOF (its command statistics count each call as it comes). */
    private long rewritesAskedFor() {
        String stats = send(Request.cmd(Command.INFO).arg("commandstats")).toString();
        java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_bgrewriteaof:calls=(\\d+)").matcher(stats);
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }

    @Test
    void aJournalEntryAboveWhatThisBatonAppendedIsNotTakenAsItsOwn() {
        Node first = node(true, 3_600_000);
        Map<String, List<String>> ids = work(first);
        send(Request.cmd(Command.XADD).arg("{t}:journal").arg("1000000-0").arg("e").arg("{\"events\":[]}"));

        var submitted = first.engine().submit(TaskSpec.of("t", Priority.HIGH).withPayload("{\"late\":1}"), now());
        try {
            durable(first, submitted.seq());
        } catch (DurabilityUnavailableException notAcknowledged) {
            return; // not acknowledged: nothing promised
        }
        // acknowledged: then it must survive a crash
        first.store().halt();
        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
        assertEquals("{\"late\":1}", second.engine().task(submitted.task().id(), now()).payload());
    }

    @Test
    void aRedisThatCameBackWithoutItsLastWritesGetsTheWholeStateAgain() throws Exception {
        Node first = node(true, 3_600_000);
        work(first);
        first.store().checkpointNow();
        awaitCheckpointAt(first.engine().lastSeq());
        Path aof = appendOnlyIncrement();
        long kept = Files.size(aof);

        Map<String, List<String>> ids = work(first); // journalled, then checkpointed (and the journal trimmed)
        first.store().checkpointNow();
        awaitCheckpointAt(first.engine().lastSeq());
        server.stop();
        try (FileChannel file = FileChannel.open(aof, StandardOpenOption.WRITE)) {
            file.truncate(kept); // what a power loss leaves with appendfsync everysec
        }
        server.start();

        first.store().checkpointNow();
        awaitCheckpointAt(first.engine().lastSeq());
        first.store().halt();
        Node second = node(true, 3_600_000);
        assertSameTasks(first, second, ids);
    }

    private static Path appendOnlyIncrement() throws java.io.IOException {
        try (var files = Files.list(server.dataDir().resolve("appendonlydir"))) {
            return files.filter(file -> file.getFileName().toString().endsWith(".incr.aof")).findFirst().orElseThrow();
        }
    }

    @Test
    void readinessIsDownWhileRedisRefusesWrites() {
        Node first = node(true, 100);
        assertTrue(first.store().ready());
        send(Request.cmd(Command.CLIENT).arg("PAUSE").arg(120_000).arg("WRITE"));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !first.store().ready());
            assertTrue(first.store().problem().contains("does not take writes"), first.store().problem());
        } finally {
            send(Request.cmd(Command.CLIENT).arg("UNPAUSE"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> first.store().ready());
    }

    @Test
    void readinessIsDownWhileRedisMayEvictKeys() {
        Node first = node(true, 100);
        send(Request.cmd(Command.CONFIG).arg("SET").arg("maxmemory-policy").arg("allkeys-lru"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.store().ready());
        assertTrue(first.store().problem().contains("maxmemory-policy is 'allkeys-lru'"), first.store().problem());
        send(Request.cmd(Command.CONFIG).arg("SET").arg("maxmemory-policy").arg("noeviction"));
        await().atMost(Duration.ofSeconds(10)).until(() -> first.store().ready());
    }

    private Store standby() {
        StoreSink sink = new StoreSink();
        Coordinator engine = new Coordinator(EngineConfig.defaults(), sink, new SplittableRandom(3));
        Store store = new Store(new Store.Settings(true, 50, 2000, 1000, 60_000, "{t}:"), engine, sink, client, Clock.systemUTC(), vertx.getDelegate());
        stores.add(store);
        return store;
    }

    @Test
    void theLeaseOfADeadProcessOnThisHostIsTakenAtOnce() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        send(Request.cmd(Command.SET).arg("{t}:writer").arg(WriterLease.hostName() + " " + gone.pid() + " before")
                .arg("PX").arg(60_000));
        Store store = standby();
        store.start();
        assertTrue(store.serving(), store.problem());
    }

    @Test
    void theLeaseOfALiveProcessOrAnotherHostIsWaitedFor() {
        for (String holder : List.of(WriterLease.hostName() + " " + ProcessHandle.current().pid() + " alive",
                "another-host 1 elsewhere")) {
            send(Request.cmd(Command.SET).arg("{t}:writer").arg(holder).arg("PX").arg(60_000));
            Store store = standby();
            store.start();
            assertTrue(!store.serving() && store.problem().contains("writer lease"), store.problem());
            store.halt();
        }
    }

    // -------------------------------------------------------------------------------------------
    // Finished tasks within the retention across restarts: whether a finished task comes back from
    // the journal into a one-task cache or only from its Redis record, its id stays known to
    // submit, complete, depends_on, list and retry.

    private static final long CHECKPOINT_MILLIS = 50;

    private static EngineConfig cacheOf(long finishedCacheSize) {
        EngineConfig d = EngineConfig.defaults();
        return new EngineConfig(d.leaseTtlMillis(), d.agentTtlMillis(), d.priorityAgingMillis(), d.maxQueued(),
                d.retry(), d.maxExpiries(), d.demoteOnRetry(), d.jitter(), d.types(), d.weights(), d.retentionMillis(),
                finishedCacheSize, d.maxDependencies(), d.maxBatch());
    }

    /** Until the events up to {@code seq} are written, however long a cold, loaded JVM takes. */
    private static void awaitDurable(Node node, long seq) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            node.store().durable(seq).await().atMost(Duration.ofSeconds(5));
            return true;
        });
    }

    /** An API call: the finished tasks among {@code ids} the engine does not hold are read back first. */
    private static <T> T call(Node node, List<String> ids, Supplier<T> call) {
        return node.store().retained().call(ids, call).await().atMost(Duration.ofSeconds(5));
    }

    private static TaskPage list(Node node, TaskStatus status, int limit, String after) {
        return node.store().retained().list(new TaskQuery(status, "t", null, limit, after), now());
    }

    /** Submits and claims one task of type {@code t}. */
    private static ClaimedTask run(Node node, TaskSpec spec) {
        node.engine().submit(spec, now());
        ClaimedTask claimed = node.engine().claim("w", 1, now()).get(0);
        assertEquals(spec.id(), claimed.task().id());
        return claimed;
    }

    /** A crash (no final checkpoint, the writer lease left to lapse) and a fresh Baton on the same Redis. */
    private Node restart(Node node, boolean journal, long finishedCacheSize, long checkpointedSeq) {
        if (checkpointedSeq > 0) {
            awaitCheckpointAt(checkpointedSeq);
        }
        node.store().halt();
        return node(journal, CHECKPOINT_MILLIS, cacheOf(finishedCacheSize));
    }

    static Stream<Arguments> restarts() {
        return Stream.of(
                Arguments.of("journal, checkpointed before the crash", true, true, 100_000L),
                Arguments.of("journal, checkpointed before the crash, cache of one", true, true, 1L),
                Arguments.of("journal, only in the journal at the crash, cache of one", true, false, 1L),
                Arguments.of("checkpoints only, cache of one", false, true, 1L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restarts")
    void aFinishedTaskStaysKnownAcrossARestart(String name, boolean journal, boolean checkpointed, long cacheSize) {
        Node first = node(journal, CHECKPOINT_MILLIS, cacheOf(cacheSize));
        first.engine().registerAgent(new AgentSpec("w", Set.of("t"), 4, Map.of()), now());
        TaskSpec x = TaskSpec.of("t", Priority.HIGH).withId("x").withPayload("{\"n\":1}");
        ClaimedTask xRun = run(first, x);
        first.engine().complete("x", xRun.leaseId(), "{\"ok\":true}", now());
        ClaimedTask fRun = run(first, TaskSpec.of("t", Priority.HIGH).withId("f"));
        first.engine().fail("f", fRun.leaseId(), "boom", false, now());
        first.engine().submit(TaskSpec.of("t", Priority.LOW).withId("c"), now());
        long seq = first.engine().cancel("c", now()).seq();
        awaitDurable(first, seq);

        Node second = restart(first, journal, cacheSize, checkpointed ? seq : 0);

        // the same submission again: the existing task, no new run; another body: a conflict
        SubmitResult again = call(second, List.of("x"), () -> second.engine().submit(x, now()));
        assertFalse(again.created());
        assertEquals(TaskStatus.COMPLETED, again.task().status());
        assertEquals("{\"ok\":true}", again.task().result());
        assertThrows(ConflictException.class, () -> call(second, List.of("x"),
                () -> second.engine().submit(x.withPayload("{\"n\":2}"), now())));
        assertTrue(second.engine().claim("w", 4, now()).isEmpty(), "x ran again");

        // the agent's retried complete is a harmless repeat
        CompletionResult repeat = call(second, List.of("x"),
                () -> second.engine().complete("x", xRun.leaseId(), "{\"ok\":true}", now()));
        assertTrue(repeat.duplicate());
        CompletionResult failRepeat = call(second, List.of("f"),
                () -> second.engine().fail("f", fRun.leaseId(), "boom", false, now()));
        assertTrue(failRepeat.duplicate());

        // depends_on a finished task: completed releases, failed or cancelled cancels unless told to run
        TaskSpec afterX = TaskSpec.of("t", Priority.LOW).withDependsOn(List.of("x"));
        assertEquals(TaskStatus.PENDING, call(second, List.of("x"), () -> second.engine().submit(afterX, now())).task().status());
        TaskSpec afterF = TaskSpec.of("t", Priority.LOW).withDependsOn(List.of("f", "c"));
        assertEquals(TaskStatus.CANCELLED,
                call(second, List.of("f", "c"), () -> second.engine().submit(afterF, now())).task().status());
        TaskSpec anyway = new TaskSpec(null, "t", null, Priority.LOW, null, List.of("c"), null, null, true);
        assertEquals(TaskStatus.PENDING, call(second, List.of("c"), () -> second.engine().submit(anyway, now())).task().status());

        // the dead letter is listed once, retried durably, and runs to completion after another crash
        assertEquals(List.of("f"), ids(list(second, TaskStatus.FAILED, 10, null)));
        assertEquals(List.of("x"), ids(list(second, TaskStatus.COMPLETED, 10, null)));
        CompletionResult retried = call(second, List.of("f"), () -> second.engine().retry("f", now()));
        assertEquals(TaskStatus.PENDING, retried.task().status());
        assertEquals(List.of(), ids(list(second, TaskStatus.FAILED, 10, null)));
        awaitDurable(second, retried.seq());

        Node third = restart(second, journal, cacheSize, journal ? 0 : retried.seq());
        assertEquals(List.of(), ids(list(third, TaskStatus.FAILED, 10, null)));
        ClaimedTask again2 = third.engine().claim("w", 4, now()).stream()
                .filter(c -> c.task().id().equals("f")).findFirst().orElseThrow();
        long done = third.engine().complete("f", again2.leaseId(), null, now()).seq();
        awaitDurable(third, done);
        Node fourth = restart(third, journal, cacheSize, journal ? 0 : done);
        assertEquals(List.of("f", "x"), ids(list(fourth, TaskStatus.COMPLETED, 10, null)));
        assertEquals(List.of(), ids(list(fourth, TaskStatus.FAILED, 10, null)));
        EngineInvariants.check(fourth.engine());
    }

    @Test
    void finishedTasksInMemoryAndInRedisPageTogetherInIdOrderEachOnce() {
        Node first = node(true, CHECKPOINT_MILLIS, cacheOf(1));
        first.engine().registerAgent(new AgentSpec("w", Set.of("t"), 1, Map.of()), now());
        TreeSet<String> failed = new TreeSet<>();
        long seq = 0;
        for (int i = 0; i < 10; i++) {
            String id = "f" + (char) ('a' + (i * 7) % 10); // submitted out of id order
            seq = first.engine().fail(id, run(first, TaskSpec.of("t", Priority.LOW).withId(id)).leaseId(), "no", false, now()).seq();
            failed.add(id);
        }
        Node second = restart(first, true, 1, seq);
        for (String id : List.of("f0", "fm", "fz")) { // these are held in memory (some of them) and not yet in Redis
            second.engine().fail(id, run(second, TaskSpec.of("t", Priority.LOW).withId(id)).leaseId(), "no", false, now());
            failed.add(id);
        }
        second.engine().submit(TaskSpec.of("other", Priority.LOW).withId("fb-other"), now());

        List<String> listed = new ArrayList<>();
        String after = null;
        do {
            TaskPage page = list(second, TaskStatus.FAILED, 3, after);
            assertTrue(page.tasks().size() <= 3);
            listed.addAll(ids(page));
            after = page.nextAfter();
        } while (after != null);
        assertEquals(new ArrayList<>(failed), listed);

        TaskPage one = second.store().retained().list(new TaskQuery(TaskStatus.FAILED, "t", "nobody", 10, null), now());
        assertTrue(one.tasks().isEmpty());
        assertNull(one.nextAfter());
    }

    @Test
    void finishedTasksAreIndexedOneStreamEntryPerCheckpointAndTheSortedSetOfBatonsBeforeIsStillRead() {
        Node first = node(true, CHECKPOINT_MILLIS, cacheOf(1));
        first.engine().registerAgent(new AgentSpec("w", Set.of("t"), 1, Map.of()), now());
        long seq = 0;
        for (String id : List.of("old1", "old2", "new1", "new2")) {
            seq = first.engine().fail(id, run(first, TaskSpec.of("t", Priority.LOW).withId(id)).leaseId(), "no", false, now()).seq();
        }
        awaitCheckpointAt(seq);
        Response entries = send(Request.cmd(Command.XRANGE).arg("{t}:ended:FAILED").arg("-").arg("+"));
        List<String> indexed = new ArrayList<>();
        entries.forEach(entry -> indexed.addAll(List.of(RedisCalls.fields(entry.get(1)).get("i").split(" "))));
        assertEquals(List.of("new1", "new2", "old1", "old2"), indexed.stream().sorted().toList());
        assertTrue(entries.size() <= 4, "an entry per checkpoint chunk, not per task: " + entries.size());
        // as a Baton before the stream wrote them: the old ones in a sorted set only
        send(Request.cmd(Command.DEL).arg("{t}:ended:FAILED"));
        send(Request.cmd(Command.XADD).arg("{t}:ended:FAILED").arg("*").arg("i").arg("new1 new2"));
        send(Request.cmd(Command.ZADD).arg("{t}:finished:FAILED").arg(now()).arg("old1").arg(now()).arg("old2"));

        Node second = restart(first, true, 1, 0);
        assertEquals(List.of("new1", "new2", "old1", "old2"), ids(list(second, TaskStatus.FAILED, 10, null)));
    }

    private static List<String> ids(TaskPage page) {
        return page.tasks().stream().map(TaskView::id).toList();
    }
}
