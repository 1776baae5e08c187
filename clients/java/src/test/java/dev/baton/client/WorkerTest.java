package dev.baton.client;

import static dev.baton.client.BatonServer.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker loop against the real packaged Baton (lease 3 s, so a heartbeat every second). */
class WorkerTest {

    record Numbers(int n) {
    }

    record Doubled(int n, int attempt, String type) {
    }

    record Sleep(boolean quick) {
    }

    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(20);

    private static BatonClient client;
    private final List<Worker> workers = new ArrayList<>();

    @BeforeAll
    static void start() {
        client = BatonServer.shared().client();
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(Worker::close);
    }

    private Worker.Builder worker(int concurrency) {
        return Worker.builder(BatonServer.shared().client(), unique("worker")).concurrency(concurrency)
                .claimWait(Duration.ofSeconds(2)).grace(Duration.ofSeconds(5));
    }

    private Worker started(Worker.Builder builder) {
        Worker w = builder.build();
        workers.add(w);
        return w.start();
    }

    private static Task finished(String taskId) throws Exception {
        return client.waitFor(taskId, TASK_TIMEOUT).get(TASK_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    }

    @Test
    void runsTasksOfSeveralTypesWithResultsFailuresAndRetries() throws Exception {
        String ok = unique("ok");
        String bad = unique("bad");
        String flaky = unique("flaky");
        String opaque = unique("opaque");
        started(worker(2)
                .handler(ok, Numbers.class, (in, ctx) -> new Doubled(in.n() * 2, ctx.attempt(), ctx.task().type()))
                .handler(bad, Numbers.class, (in, ctx) -> {
                    throw new NonRetryableException("cannot do " + in.n());
                })
                .handler(flaky, Map.class, (in, ctx) -> {
                    if (ctx.attempt() == 0) {
                        throw new IllegalStateException("first attempt breaks");
                    }
                    return "second attempt";
                })
                .handler(opaque, Map.class, (in, ctx) -> new Object())); // nothing Jackson can write
        Task a = client.submit(ok, new Numbers(21));
        Task b = client.submit(NewTask.of(bad).payload(new Numbers(1)).maxRetries(3));
        Task f = client.submit(NewTask.of(flaky).payload(Map.of()).maxRetries(1));
        Task o = client.submit(NewTask.of(opaque).payload(Map.of()).maxRetries(3));

        Task done = finished(a.id());
        assertEquals(TaskStatus.COMPLETED, done.status());
        assertEquals(new Doubled(42, 0, ok), client.convert(done.result(), Doubled.class));
        Task failed = finished(b.id());
        assertEquals(TaskStatus.FAILED, failed.status());
        assertEquals("cannot do 1", failed.error());
        Task retried = finished(f.id());
        assertEquals(TaskStatus.COMPLETED, retried.status());
        assertEquals("second attempt", retried.result().asText());
        assertEquals(1, retried.attempt());
        Task unwritable = finished(o.id());
        assertEquals(TaskStatus.FAILED, unwritable.status());
        assertTrue(unwritable.error().startsWith("the result is not JSON"), unwritable.error());
    }

    @Test
    void noHeartbeatForATaskShorterThanAThirdOfItsLease() throws Exception {
        String kind = unique("short");
        Worker w = started(worker(4).handler(kind, Numbers.class, (in, ctx) -> "quick"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(client.submit(kind, new Numbers(i)).id());
        }
        for (String id : ids) {
            assertEquals(TaskStatus.COMPLETED, finished(id).status());
        }
        assertEquals(0, w.heartbeats());
        assertEquals(4, w.completed());
    }

    @Test
    void progressReachesTheServer() throws Exception {
        String kind = unique("progress");
        CountDownLatch release = new CountDownLatch(1);
        started(worker(1).handler(kind, Map.class, (in, ctx) -> {
            ctx.progress(50, "half way");
            release.await(20, TimeUnit.SECONDS);
            return "done";
        }));
        Task task = client.submit(kind, Map.of());
        Task seen = await().atMost(BatonServer.HEARTBEAT.plusSeconds(5)).until(() -> client.get(task.id()),
                t -> t.progress() != null && t.progress() == 50);
        assertEquals(TaskStatus.IN_PROGRESS, seen.status());
        assertEquals("half way", seen.message());
        release.countDown();
        assertEquals(TaskStatus.COMPLETED, finished(task.id()).status());
    }

    @Test
    void claimsFillTheFreeSlotsInOneRequest() {
        String kind = unique("slots");
        for (int i = 0; i < 3; i++) {
            client.submit(kind, new Numbers(i));
        }
        Semaphore started = new Semaphore(0);
        CountDownLatch release = new CountDownLatch(1);
        BatonClient own = BatonServer.shared().client();
        Worker counted = Worker.builder(own, unique("worker")).concurrency(3).claimWait(Duration.ofSeconds(2))
                .handler(kind, Numbers.class, (in, ctx) -> {
                    started.release();
                    release.await(20, TimeUnit.SECONDS);
                    return null;
                }).build();
        workers.add(counted);
        counted.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> started.availablePermits() == 3);
        assertEquals(2, own.requests() - counted.heartbeats(), "register + one claim with max=3");
        release.countDown();
    }

    @Test
    void cancelReachesARunningHandlerWithinOneHeartbeat() throws Exception {
        String kind = unique("cancel");
        CountDownLatch running = new CountDownLatch(1);
        AtomicLong sawCancelAt = new AtomicLong();
        Worker w = started(worker(1).handler(kind, Map.class, (in, ctx) -> {
            running.countDown();
            while (!ctx.isCancelled()) {
                Thread.onSpinWait();
                Thread.sleep(10); // a handler's own work; the cancel comes through ctx
            }
            sawCancelAt.set(System.nanoTime());
            return "should not be written";
        }));
        Task task = client.submit(kind, Map.of());
        assertTrue(running.await(10, TimeUnit.SECONDS));
        long cancelledAt = System.nanoTime();
        client.cancel(task.id());
        await().atMost(BatonServer.HEARTBEAT.plusSeconds(2)).until(() -> sawCancelAt.get() != 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> w.running() == 0);
        Task after = client.get(task.id());
        assertEquals(TaskStatus.CANCELLED, after.status());
        assertNull(after.result());
        assertTrue(Duration.ofNanos(sawCancelAt.get() - cancelledAt).compareTo(BatonServer.HEARTBEAT.plusSeconds(2)) < 0);
    }

    @Test
    void aStaleLeaseEndsTheRunWithoutAResultWritten() throws Exception {
        String kind = unique("stale");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch staleRunOver = new CountDownLatch(1);
        AtomicBoolean cancelledSeen = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        Worker w = started(worker(1).handler(kind, Map.class, (in, ctx) -> {
            if (runs.incrementAndGet() > 1) { // the worker registers again and may be handed the task anew
                return Map.of("late", false);
            }
            running.countDown();
            release.await(20, TimeUnit.SECONDS); // ignores the cancel, as a stuck handler would
            cancelledSeen.set(ctx.isCancelled());
            staleRunOver.countDown();
            return Map.of("late", true);
        }));
        Task task = client.submit(kind, Map.of());
        assertTrue(running.await(10, TimeUnit.SECONDS));
        client.removeAgent(w.agentId()); // the server takes the task back: this run's lease is stale
        await().atMost(BatonServer.HEARTBEAT.plusSeconds(3)).until(() -> w.abandoned() == 1); // the heartbeat got 409
        release.countDown();
        assertTrue(staleRunOver.await(10, TimeUnit.SECONDS));
        assertTrue(cancelledSeen.get());
        await().atMost(Duration.ofSeconds(5)).until(() -> w.running() == 0);
        Task after = client.get(task.id());
        assertFalse(after.result() != null && after.result().path("late").asBoolean(), "the stale run wrote " + after);
        if (!after.status().isTerminal()) {
            try {
                client.cancel(task.id());
            } catch (BatonException ended) { // the worker, registered again, may complete it meanwhile
                assertEquals("illegal_transition", ended.error(), ended::getMessage);
            }
        }
    }

    @Test
    void closeEndsTheClaimLongPoll() {
        String kind = unique("idle");
        Worker w = Worker.builder(BatonServer.shared().client(), unique("worker")).claimWait(Duration.ofSeconds(25))
                .handler(kind, Map.class, (in, ctx) -> "ran").build();
        workers.add(w);
        w.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.agent(w.agentId()).waitingClaims() == 1);
        w.close();
        // a task submitted now is not handed to the closed worker's long-poll
        Task task = client.submit(kind, Map.of());
        assertEquals(TaskStatus.PENDING, task.status());
        assertEquals(TaskStatus.PENDING, client.get(task.id()).status());
        client.cancel(task.id());
    }

    @Test
    void closeDuringRunsLetsShortOnesFinishFailsLongOnesAndLeavesNothingRunning() throws Exception {
        String kind = unique("stop");
        Semaphore running = new Semaphore(0);
        Worker w = worker(2).grace(Duration.ofSeconds(2)).handler(kind, Sleep.class, (in, ctx) -> {
            running.release();
            Thread.sleep(in.quick() ? 300 : 30_000);
            return "finished";
        }).build();
        workers.add(w);
        Task quick = client.submit(NewTask.of(kind).payload(new Sleep(true)).maxRetries(3));
        Task slow = client.submit(NewTask.of(kind).payload(new Sleep(false)).maxRetries(3));
        w.start();
        assertTrue(running.tryAcquire(2, 10, TimeUnit.SECONDS));
        w.close();
        assertEquals(TaskStatus.COMPLETED, client.get(quick.id()).status());
        Task after = client.get(slow.id());
        assertTrue(after.status() == TaskStatus.SCHEDULED || after.status() == TaskStatus.PENDING, after.toString());
        assertEquals(1, after.failures());
        assertEquals(List.of(), client.tasks(TaskQuery.all().type(kind)).filter(t -> t.status().isRunning()).toList());
        assertEquals(2, client.tasks(TaskQuery.all().type(kind)).count(), "none lost");
    }
}
