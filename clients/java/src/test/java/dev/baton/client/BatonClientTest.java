package dev.baton.client;

import static dev.baton.client.BatonServer.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
/** Every call of the client against the real packaged Baton. */
class BatonClientTest {

    record Job(String repo, int issue) {
    }

    record Answer(int pr) {
    }

    private static BatonServer server;
    private static BatonClient client;

    @BeforeAll
    static void start() {
        server = BatonServer.shared();
        client = server.client();
    }

    @Test
    void lifecycleSubmitClaimHeartbeatComplete() throws Exception {
        String kind = unique("life");
        String agent = unique("agent");
        Task task = client.submit(NewTask.of(kind).payload(new Job("baton", 7)).description("one")
                .priority(Priority.HIGH).maxRetries(2));
        assertEquals(TaskStatus.PENDING, task.status());
        assertEquals(new Job("baton", 7), client.convert(client.get(task.id()).payload(), Job.class));

        Agent registered = client.registerAgent(agent, List.of(kind), 2, Map.of("zone", "test"));
        assertEquals(2, registered.maxConcurrency());
        List<ClaimedTask> claimed = client.claim(agent, Duration.ofSeconds(1), 2);
        assertEquals(List.of(task.id()), claimed.stream().map(ClaimedTask::id).toList());
        String lease = claimed.get(0).leaseId();
        assertNotNull(claimed.get(0).task().leaseExpiresAt());

        HeartbeatAnswer beat = client.heartbeat(task.id(), lease, 40, "going");
        assertFalse(beat.cancelRequested());
        assertEquals(TaskStatus.IN_PROGRESS, beat.status());
        Task running = client.get(task.id());
        assertEquals(40, running.progress());
        assertEquals("going", running.message());

        Completion done = client.complete(task.id(), lease, new Answer(42));
        assertEquals(TaskStatus.COMPLETED, done.task().status());
        assertFalse(done.duplicate());
        assertTrue(client.complete(task.id(), lease, new Answer(42)).duplicate());

        Task finished = client.waitFor(task.id(), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertEquals(new Answer(42), client.convert(finished.result(), Answer.class));
        assertEquals(agent, client.agent(agent).id());
        assertTrue(client.agents().stream().anyMatch(a -> a.id().equals(agent)));
        assertTrue(client.stats().lastSeq() > 0);
        assertEquals(agent, client.removeAgent(agent).id());
    }

    @Test
    void submitWithAnIdIsIdempotentAndEveryFieldIsSent() {
        String kind = unique("fields");
        Task first = client.submit(NewTask.of(kind).id(unique("dep")).payload(Map.of("a", 1)));
        String id = unique("t");
        NewTask all = NewTask.of(kind).id(id).payload(Map.of("x", List.of(1, 2))).description("all fields")
                .priority(Priority.LOW).dependsOn(first.id()).maxRetries(0).onDependencyFailure("run");
        Task created = client.submit(all);
        assertEquals(TaskStatus.WAITING, created.status());
        assertEquals(List.of(first.id()), created.dependsOn());
        assertEquals("run", created.onDependencyFailure());
        assertEquals(Priority.LOW, created.priority());
        assertEquals(0, created.maxRetries());
        assertEquals("all fields", created.description());
        assertEquals(id, client.submit(all).id());

        BatonException conflict = assertThrows(BatonException.class,
                () -> client.submit(NewTask.of(kind).id(id).payload(Map.of("x", "different"))));
        assertEquals(409, conflict.status());
        assertEquals("id_conflict", conflict.error());

        Instant later = Instant.parse("2099-01-01T00:00:00Z");
        Task scheduled = client.submit(NewTask.of(kind).runAt(later));
        assertEquals(TaskStatus.SCHEDULED, scheduled.status());
        assertEquals(later, scheduled.runAt());
        client.cancel(scheduled.id());
        client.cancel(first.id());
    }

    @Test
    void submitManyAndCompleteMany() {
        String kind = unique("many");
        String agent = unique("agent");
        List<NewTask> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(NewTask.of(kind).payload(Map.of("i", i)));
        }
        assertTrue(client.submitMany(tasks).stream().allMatch(BatchMember::created));
        client.registerAgent(agent, List.of(kind), 5, null);
        List<ClaimedTask> claimed = client.claim(agent, Duration.ofSeconds(1), 5);
        assertEquals(5, claimed.size());
        List<Completed.Item> items = new ArrayList<>(claimed.stream().map(t -> Completed.Item.of(t, Map.of("ok", true))).toList());
        items.add(new Completed.Item(claimed.get(0).id(), "stale", null));
        List<Completed> answers = client.completeMany(agent, items);
        assertEquals(List.of(200, 200, 200, 200, 200, 409), answers.stream().map(Completed::code).toList());
        assertEquals("lease_expired", answers.get(5).error());
        assertEquals(TaskStatus.COMPLETED, client.get(claimed.get(2).id()).status());
        assertTrue(client.completeMany(agent, items.subList(0, 1)).get(0).duplicate());
    }

    @Test
    void batchWithRefsListPagingCancelAndRetry() {
        String kind = unique("batch");
        String agent = unique("agent");
        List<BatchMember> members = client.batch(List.of(
                NewTask.of(kind).ref("a").payload(Map.of("i", 0)),
                NewTask.of(kind).ref("b").dependsOn("a"),
                NewTask.of(kind).ref("c").dependsOn("a", "b")));
        assertEquals(List.of("a", "b", "c"), members.stream().map(BatchMember::ref).toList());
        List<String> ids = members.stream().map(BatchMember::id).toList();
        assertEquals(List.of(TaskStatus.PENDING, TaskStatus.WAITING, TaskStatus.WAITING),
                ids.stream().map(id -> client.get(id).status()).toList());

        Page page = client.list(TaskQuery.all().type(kind).limit(2));
        assertEquals(2, page.tasks().size());
        assertNotNull(page.nextAfter());
        assertEquals(ids.stream().sorted().toList(),
                client.tasks(TaskQuery.all().type(kind).limit(1)).map(Task::id).sorted().toList());

        assertEquals(TaskStatus.CANCELLED, client.cancel(ids.get(2)).status());
        client.registerAgent(agent, List.of(kind));
        ClaimedTask claimed = client.claim(agent, Duration.ofSeconds(1), 1).get(0);
        Completion failed = client.fail(claimed.id(), claimed.leaseId(), "broken", false);
        assertEquals(TaskStatus.FAILED, failed.task().status());
        assertEquals(List.of(ids.get(0)),
                client.tasks(TaskQuery.all().status(TaskStatus.FAILED).type(kind)).map(Task::id).toList());
        assertEquals(TaskStatus.PENDING, client.retry(ids.get(0)).status());
        client.removeAgent(agent);
    }

    @Test
    void attemptsDependentsFiltersAndTheTimeline() {
        String kind = unique("history");
        String agent = unique("agent");
        Task parent = client.submit(NewTask.of(kind).priority(Priority.HIGH).maxRetries(0));
        Task child = client.submit(NewTask.of(kind).priority(Priority.LOW).dependsOn(parent.id()));
        assertEquals(List.of(child.id()), client.get(parent.id()).dependents());
        assertEquals(List.of(parent.id()), client.tasks(TaskQuery.all().type(kind).priority(Priority.HIGH)).map(Task::id).toList());
        assertEquals(List.of(child.id()), client.tasks(TaskQuery.all().type(kind).createdAfter(parent.createdAt())).map(Task::id).toList());
        assertEquals(List.of(), client.tasks(TaskQuery.all().type(kind).createdBefore(parent.createdAt())).map(Task::id).toList());

        client.registerAgent(agent, List.of(kind));
        ClaimedTask claimed = client.claim(agent, Duration.ofSeconds(1), 1).get(0);
        assertEquals(List.of(agent), claimed.task().attempts().stream().map(Attempt::agent).toList());
        Task failed = client.fail(claimed.id(), claimed.leaseId(), "broken", false).task();
        Attempt run = failed.attempts().get(0);
        assertEquals(1, run.attempt());
        assertEquals("failed", run.outcome());
        assertEquals("broken", run.error());
        assertNotNull(run.endedAt());
        assertEquals("dependency " + parent.id() + " FAILED", client.get(child.id()).error());
        assertEquals(List.of(child.id()), client.get(parent.id()).dependents());

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.timeline(parent.id()).stream()
                .map(Event::event).toList().equals(List.of("task.submitted", "task.assigned", "task.failed")));
        assertEquals(agent, client.timeline(parent.id()).get(1).agentId());
        client.removeAgent(agent);
    }

    @Test
    void errorsCarryTheStatusTheCodeAndTheMessage() {
        BatonException missing = assertThrows(BatonException.class, () -> client.get("no-such-task"));
        assertEquals(404, missing.status());
        assertEquals("task_not_found", missing.error());

        BatonException bad = assertThrows(BatonException.class, () -> client.list(TaskQuery.all().limit(0)));
        assertEquals(400, bad.status());
        assertTrue(bad.message().contains("limit"), bad.message());

        try (BatonClient nowhere = BatonClient.builder().url("http://127.0.0.1:1").build()) {
            assertInstanceOf(BatonUnavailableException.class, assertThrows(BatonException.class, nowhere::stats));
        }
        assertThrows(IllegalArgumentException.class, () -> BatonClient.builder().url("ftp://x"));
    }

    @Test
    void waitForCompletesWhenTheTaskEnds() throws Exception {
        String kind = unique("wait");
        String agent = unique("agent");
        Task task = client.submit(kind, Map.of("n", 1));
        var done = client.waitFor(task.id(), Duration.ofSeconds(20));
        client.registerAgent(agent, List.of(kind));
        ClaimedTask claimed = client.claim(agent, Duration.ofSeconds(2), 1).get(0);
        assertFalse(done.isDone());
        client.complete(claimed.id(), claimed.leaseId(), Map.of("ok", true));
        Task finished = done.get(20, TimeUnit.SECONDS);
        assertEquals(TaskStatus.COMPLETED, finished.status());
        assertTrue(finished.result().path("ok").asBoolean());
        // a task already over answers at once
        assertEquals(TaskStatus.COMPLETED, client.waitFor(task.id(), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS).status());
        client.removeAgent(agent);
    }

    @Test
    void waitForTimesOutOnATaskThatDoesNotEnd() {
        Task task = client.submit(unique("never"), Map.of());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.waitFor(task.id(), Duration.ofMillis(500)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> client.waitFor("no-such-task", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
        assertEquals(404, ((BatonException) unknown.getCause()).status());
        client.cancel(task.id());
    }

    @Test
    void eventsResumeAfterADroppedConnectionWithNothingLostOrRepeated() {
        String kind = unique("sse");
        List<String> submitted = new ArrayList<>();
        List<Event> seen = new ArrayList<>();
        try (EventStream stream = client.events(EventFilter.all().events("task.submitted").taskType(kind)
                .after(client.stats().lastSeq()))) {
            submitted.add(client.submit(kind, Map.of("i", 0)).id());
            seen.add(stream.next());
            stream.drop();
            for (int i = 1; i < 6; i++) { // while cut off
                submitted.add(client.submit(kind, Map.of("i", i)).id());
            }
            while (seen.size() < 6) {
                seen.add(stream.next());
                if (seen.size() == 3) {
                    stream.drop();
                    for (int i = 6; i < 9; i++) {
                        submitted.add(client.submit(kind, Map.of("i", i)).id());
                    }
                }
            }
            while (seen.size() < 9) {
                seen.add(stream.next());
            }
            assertTrue(stream.connects() >= 3, "reconnected after each drop: " + stream.connects());
        }
        assertEquals(submitted, seen.stream().map(Event::taskId).toList());
        List<Long> seqs = seen.stream().map(Event::seq).toList();
        assertEquals(seqs.stream().distinct().sorted().toList(), seqs);
    }

    @Test
    void eventsSurfaceResyncWhenTheResumePointIsGone() {
        String kind = unique("resync");
        long since = client.stats().lastSeq();
        List<NewTask> many = new ArrayList<>();
        for (int i = 0; i < BatonServer.RING_SIZE + 10; i++) {
            many.add(NewTask.of(kind));
        }
        client.batch(many); // pushes `since` out of the ring
        try (EventStream stream = client.events(EventFilter.all().taskType(kind).after(since))) {
            Event first = stream.next();
            assertTrue(first.isResync(), first.toString());
            assertEquals(since, first.lastEventId());
        }
    }

    @Test
    void aSubscriberGetsTheEventsOfItsFilter() throws Exception {
        String kind = unique("sub");
        List<Event> got = java.util.Collections.synchronizedList(new ArrayList<>());
        try (EventStream subscription = client.subscribe(EventFilter.all().events("task.cancelled").taskType(kind)
                .after(client.stats().lastSeq()), got::add)) {
            Task task = client.submit(kind, Map.of());
            client.cancel(task.id());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
            assertEquals(task.id(), got.get(0).taskId());
            assertEquals(TaskStatus.CANCELLED, got.get(0).status());
        }
    }
}
