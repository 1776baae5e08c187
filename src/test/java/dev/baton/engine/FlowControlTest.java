package dev.baton.engine;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Task types' runtime settings and bulk actions ({@link FlowControl}), on the fake clock. */
class FlowControlTest {

    static TypeSettings paused(String type) {
        return new TypeSettings(type, true, null, null, null);
    }

    @Nested
    class Types extends EngineHarness {

        @Test
        void aPausedTypeIsSkippedByClaimsWhileSubmitsContinueAndResumeHandsItOut() {
            TaskView a = submit("a", Priority.HIGH);
            TaskView b = submit("b", Priority.LOW);
            agent("w", 5, "general");
            engine.flow().setType(paused("a"), now);
            TaskView later = submit("a", Priority.HIGH);
            assertEquals(b.id(), claimOne("w").task().id(), "the paused type's higher level is skipped");
            assertNothingFor("w");
            assertEquals(TaskStatus.PENDING, status(later.id()));
            assertEquals(List.of("a"), engine.stats(now).pausedTypes());
            engine.flow().setType(new TypeSettings("a", false, null, null, null), now);
            assertEquals(a.id(), claimOne("w").task().id(), "it kept its place");
            assertEquals(later.id(), claimOne("w").task().id());
            assertEquals(List.of(), engine.stats(now).pausedTypes());
        }

        @Test
        void aParkedClaimIsNotFedAPausedTypeAndIsFedOnResume() {
            agent("w", 1, "a");
            engine.flow().setType(paused("a"), now);
            ClaimAttempt attempt = engine.claimOrWait("w", 1, now);
            TaskView t = submit("a", Priority.MEDIUM);
            assertFalse(attempt.pending().result().isDone());
            engine.flow().setType(new TypeSettings("a", false, null, null, null), now);
            assertEquals(t.id(), attempt.pending().result().join().get(0).task().id());
        }

        @Test
        void maxRunningSetAtRuntimeCapsAndRaisingItLetsParkedClaimsThrough() {
            newEngine(EngineConfig.defaults().withTypes(Map.of("e", new TypePolicy(3, null))));
            engine.flow().setType(new TypeSettings("e", false, 1, null, null), now);
            submit("e", Priority.MEDIUM);
            TaskView second = submit("e", Priority.MEDIUM);
            agent("w", 1, "e");
            agent("v", 1, "e");
            claimOne("w");
            ClaimAttempt parked = engine.claimOrWait("v", 1, now);
            assertTrue(parked.parked(), "the runtime cap of 1 overrides the configured 3");
            TypeUpdate update = engine.flow().setType(new TypeSettings("e", false, 2, null, null), now);
            assertEquals(2, update.type().maxRunning());
            assertEquals(second.id(), parked.pending().result().join().get(0).task().id());
            engine.flow().setType(new TypeSettings("e", false, null, null, null), now);
            assertEquals(3, engine.flow().type("e", now).maxRunning(), "empty settings: the configured cap again");
            assertNull(engine.flow().type("e", now).changed());
        }

        @Test
        void retrySettingsApplyToNewTasksAndTheNextBackoff() {
            engine.flow().setType(new TypeSettings("r", false, null, 1, List.of(500L)), now);
            TaskView t = submit("r", Priority.MEDIUM);
            agent("w", 1, "r");
            ClaimedTask run = claimOne("w");
            engine.fail(t.id(), run.leaseId(), "boom", true, now);
            assertEquals(TaskStatus.SCHEDULED, status(t.id()));
            assertTrue(engine.task(t.id(), now).runAt() <= now + 550, "the runtime backoff of 500 ms (+ jitter)");
            advance(600);
            ClaimedTask again = claimOne("w");
            engine.fail(t.id(), again.leaseId(), "boom", true, now);
            assertEquals(TaskStatus.FAILED, status(t.id()), "max_retries 1: one retry, then a dead letter");
        }

        @Test
        void everyChangeIsOneEventAndARepeatIsNone() {
            engine.flow().setType(paused("a"), now);
            engine.flow().setType(paused("a"), now);
            List<TaskEvent> typeEvents = events.stream().filter(e -> e.type() == EventType.TYPE_UPDATED).toList();
            assertEquals(1, typeEvents.size());
            assertEquals("a", typeEvents.get(0).taskType());
            assertEquals("paused", typeEvents.get(0).message());
            assertEquals(paused("a"), typeEvents.get(0).settings());
        }

        @Test
        void typesListsConfiguredChangedQueuedAndRunTypesWithFigures() {
            newEngine(EngineConfig.defaults().withTypes(Map.of("conf", new TypePolicy(2, null))));
            engine.flow().setType(paused("set"), now);
            submit("queued", Priority.LOW);
            submit("queued", Priority.HIGH);
            submit("ran", Priority.LOW);
            agent("w", 1, "ran");
            claimOne("w");
            List<TypeView> types = engine.flow().types(now);
            assertEquals(List.of("conf", "queued", "ran", "set"), types.stream().map(TypeView::type).toList());
            assertEquals(2, types.get(0).maxRunning());
            assertEquals(2, types.get(1).pending());
            assertEquals(1, types.get(2).running());
            assertTrue(types.get(3).paused());
            assertEquals(RetryPolicy.DEFAULT.maxRetries(), types.get(3).maxRetries());
        }

        @Test
        void badSettingsAreRefusedNamingTheFieldAndChangeNothing() {
            assertEquals("max_running", assertThrows(InvalidRequestException.class,
                    () -> engine.flow().setType(new TypeSettings("a", true, 0, null, null), now)).field());
            assertEquals("max_retries", assertThrows(InvalidRequestException.class,
                    () -> engine.flow().setType(new TypeSettings("a", true, null, -1, null), now)).field());
            assertEquals("backoff", assertThrows(InvalidRequestException.class,
                    () -> engine.flow().setType(new TypeSettings("a", true, null, null, List.of()), now)).field());
            assertEquals("backoff", assertThrows(InvalidRequestException.class,
                    () -> engine.flow().setType(new TypeSettings("a", true, null, null, List.of(-5L)), now)).field());
            assertEquals("type", assertThrows(InvalidRequestException.class,
                    () -> engine.flow().setType(new TypeSettings("a b", true, null, null, null), now)).field());
            assertEquals(List.of(), engine.flow().types(now));
            assertTrue(events.isEmpty());
        }

        @Test
        void settingsSurviveACheckpointAndAReplayedEvent() {
            engine.flow().setType(paused("a"), now);
            submit("a", Priority.MEDIUM);
            EngineState state = engine.state();
            assertEquals(List.of(paused("a")), state.types());
            Coordinator copy = new Coordinator(EngineConfig.defaults(), EventSink.NONE, new SplittableRandom(1));
            copy.restore(state, now);
            copy.registerAgent(new AgentSpec("w", java.util.Set.of("a"), 1, Map.of()), now);
            assertTrue(copy.claim("w", 1, now).isEmpty(), "still paused after the restore");
            assertTrue(copy.flow().type("a", now).paused());
            EngineInvariants.check(copy);
        }
    }

    @Nested
    class Bulk extends EngineHarness {

        BulkRequest cancel(String type) {
            return new BulkRequest(BulkRequest.Action.CANCEL, null, type, null, null, null, false, false, 100);
        }

        @Test
        void cancelsWhatTheFilterMatchesWithOneEventEachAndSkipsFinishedTasks() {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(submit("x", Priority.MEDIUM).id());
            }
            TaskView other = submit("y", Priority.MEDIUM);
            engine.cancel(ids.get(0), now);
            int before = events.size();
            BulkResult result = engine.flow().bulk(cancel("x"), now);
            assertEquals(4, result.matched());
            assertEquals(4, result.touched());
            assertEquals(0, result.remaining());
            assertEquals(4, events.size() - before, "one event per task");
            assertEquals(result.seq(), engine.lastSeq());
            ids.forEach(id -> assertEquals(TaskStatus.CANCELLED, status(id)));
            assertEquals(TaskStatus.PENDING, status(other.id()));
        }

        @Test
        void aDryRunCountsAndChangesNothing() {
            submit("x", Priority.MEDIUM);
            submit("x", Priority.LOW);
            BulkResult result = engine.flow().bulk(new BulkRequest(BulkRequest.Action.CANCEL, null, "x", null,
                    Priority.LOW, null, false, true, 100), now);
            assertEquals(1, result.matched());
            assertEquals(0, result.touched());
            assertEquals(1, result.remaining());
            assertEquals(2, engine.stats(now).pending());
        }

        @Test
        void theLimitBoundsOneCallAndTheRestIsCounted() {
            for (int i = 0; i < 5; i++) {
                submit("x", Priority.MEDIUM);
            }
            BulkResult first = engine.flow().bulk(new BulkRequest(BulkRequest.Action.CANCEL, TaskStatus.PENDING, null,
                    null, null, null, false, false, 2), now);
            assertEquals(5, first.matched());
            assertEquals(2, first.touched());
            assertEquals(3, first.remaining());
            assertEquals(3, engine.stats(now).pending());
        }

        @Test
        void retryRequeuesDeadLettersOfTheAgentOlderThanTheCutoff() {
            newEngine(EngineConfig.defaults().withTypes(Map.of("x", new TypePolicy(null, new RetryPolicy(0, List.of(1L))))));
            agent("w", 5, "x");
            TaskView old = submit("x", Priority.MEDIUM);
            ClaimedTask run = claimOne("w");
            engine.fail(old.id(), run.leaseId(), "boom", false, now);
            advance(60_000);
            TaskView young = submit("x", Priority.MEDIUM);
            ClaimedTask run2 = claimOne("w");
            engine.fail(young.id(), run2.leaseId(), "boom", false, now);
            BulkResult result = engine.flow().bulk(new BulkRequest(BulkRequest.Action.RETRY, null, null, null, null,
                    30_000L, false, false, 100), now);
            assertEquals(1, result.touched());
            assertEquals(TaskStatus.PENDING, status(old.id()));
            assertEquals(TaskStatus.FAILED, status(young.id()));
        }

        @Test
        void rateAndConcurrencyKeysNarrowTheFilter() {
            TaskView tenantA = submit(TaskSpec.of("x", Priority.MEDIUM).withKeys("site:a", 1, "tenant:a"));
            TaskView tenantB = submit(TaskSpec.of("x", Priority.MEDIUM).withKeys("site:a", 1, "tenant:b"));
            TaskView plain = submit("x", Priority.MEDIUM);
            BulkResult byTenant = engine.flow().bulk(new BulkRequest(BulkRequest.Action.CANCEL, null, null, null, null,
                    null, "tenant:a", null, false, false, 100), now);
            assertEquals(1, byTenant.touched());
            assertEquals(TaskStatus.CANCELLED, status(tenantA.id()));
            BulkResult bySite = engine.flow().bulk(new BulkRequest(BulkRequest.Action.CANCEL, null, null, null, null,
                    "site:a", null, null, false, true, 100), now);
            assertEquals(1, bySite.matched(), "tenant b's task is the only one of site:a not ended");
            assertEquals(TaskStatus.PENDING, status(tenantB.id()));
            assertEquals(TaskStatus.PENDING, status(plain.id()));
            assertEquals("filter.rate_key", assertThrows(InvalidRequestException.class, () -> engine.flow().bulk(
                    new BulkRequest(BulkRequest.Action.CANCEL, null, null, null, null, "bad\u0001key", null, null, false,
                            true, 100), now)).field());
        }

        @Test
        void anEmptyFilterIsRefusedUnlessAllIsSet() {
            submit("x", Priority.MEDIUM);
            BulkRequest empty = new BulkRequest(BulkRequest.Action.CANCEL, null, null, null, null, null, false, false, 10);
            assertEquals("filter", assertThrows(InvalidRequestException.class, () -> engine.flow().bulk(empty, now)).field());
            assertEquals(1, engine.stats(now).pending());
            BulkRequest all = new BulkRequest(BulkRequest.Action.CANCEL, null, null, null, null, null, true, false, 10);
            assertEquals(1, engine.flow().bulk(all, now).touched());
        }

        @Test
        void badLimitsAndActionsAreRefusedNamingTheField() {
            assertEquals("limit", assertThrows(InvalidRequestException.class, () -> engine.flow().bulk(
                    new BulkRequest(BulkRequest.Action.CANCEL, null, "x", null, null, null, false, false, 0), now)).field());
            assertEquals("action", assertThrows(InvalidRequestException.class, () -> engine.flow().bulk(
                    new BulkRequest(null, null, "x", null, null, null, false, false, 1), now)).field());
            assertEquals("older_than", assertThrows(InvalidRequestException.class, () -> engine.flow().bulk(
                    new BulkRequest(BulkRequest.Action.CANCEL, null, null, null, null, -1L, false, false, 1), now)).field());
        }
    }
}
