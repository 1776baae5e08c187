package dev.baton.engine;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoordinatorTest {

    @Nested
    class Submit extends EngineHarness {

        @Test
        void aNewTaskIsPendingAtTheHeadOfItsQueue() {
            TaskView t = submit("coding", Priority.HIGH);
            assertEquals(TaskStatus.PENDING, t.status());
            assertEquals(0, t.queuePosition());
            assertEquals(26, t.id().length());
            assertEquals(List.of(EventType.SUBMITTED), eventTypesOf(t.id()));
            assertEquals(3, t.maxRetries(), "the default retry policy applies");
        }

        @Test
        void theSameIdAndBodyAgainIsNotADuplicate() {
            TaskSpec spec = TaskSpec.of("coding", Priority.LOW).withId("job-1").withPayload("{\"a\":1}");
            SubmitResult first = engine.submit(spec, now);
            SubmitResult again = engine.submit(spec, now + 5);
            assertTrue(first.created());
            assertFalse(again.created());
            assertEquals(first.task().id(), again.task().id());
            assertEquals(1, engine.stats(now).pending());
        }

        @Test
        void theSameIdWithAnotherBodyIsAConflict() {
            engine.submit(TaskSpec.of("coding", Priority.LOW).withId("job-1"), now);
            ConflictException e = assertThrows(ConflictException.class,
                    () -> engine.submit(TaskSpec.of("coding", Priority.HIGH).withId("job-1"), now));
            assertEquals("id_conflict", e.code());
            assertEquals(Priority.LOW, engine.task("job-1", now).priority());
        }

        @Test
        void invalidSpecsAreRefusedAndChangeNothing() {
            long seq = engine.lastSeq();
            assertEquals("type", assertThrows(InvalidRequestException.class,
                    () -> engine.submit(TaskSpec.of(" ", Priority.LOW), now)).field());
            assertEquals("max_retries", assertThrows(InvalidRequestException.class,
                    () -> engine.submit(TaskSpec.of("x", Priority.LOW).withMaxRetries(-1), now)).field());
            assertEquals("depends_on", assertThrows(InvalidRequestException.class,
                    () -> engine.submit(TaskSpec.of("x", Priority.LOW).withDependsOn(List.of("nope")), now)).field());
            assertEquals(seq, engine.lastSeq());
            assertEquals(0, engine.stats(now).pending());
        }

        @Test
        void pastMaxQueuedSubmitIsRefusedWithARetryHint() {
            newEngine(EngineConfig.defaults().withMaxQueued(2));
            submit("a", Priority.LOW);
            submit("a", Priority.LOW);
            BackpressureException e = assertThrows(BackpressureException.class, () -> submit("a", Priority.LOW));
            assertTrue(e.retryAfterMillis() >= 1_000);
            assertEquals(2, engine.stats(now).pending());
            agent("w", 1, "a");
            claimOne("w");
            submit("a", Priority.LOW); // a running task no longer counts as queued
        }

        @Test
        void runAtDelaysTheTaskUntilItIsDue() {
            TaskView t = submit(TaskSpec.of("a", Priority.HIGH).withRunAt(now + 10_000));
            assertEquals(TaskStatus.SCHEDULED, t.status());
            agent("w", 1, "a");
            assertNothingFor("w");
            advance(9_999);
            assertNothingFor("w");
            advance(1);
            assertEquals(t.id(), claimOne("w").task().id());
        }

        @Test
        void unknownTaskIsNotFound() {
            assertEquals("task_not_found", assertThrows(NotFoundException.class, () -> engine.task("nope", now)).code());
        }
    }

    @Nested
    class Claims extends EngineHarness {

        @Test
        void levelsAreStrictAndFifoInsideALevel() {
            TaskView low = submit("a", Priority.LOW);
            TaskView m1 = submit("a", Priority.MEDIUM);
            TaskView m2 = submit("a", Priority.MEDIUM);
            TaskView crit = submit("a", Priority.CRITICAL);
            agent("w", 10, "a");
            assertEquals(crit.id(), claimOne("w").task().id());
            assertEquals(m1.id(), claimOne("w").task().id());
            assertEquals(m2.id(), claimOne("w").task().id());
            assertEquals(low.id(), claimOne("w").task().id());
        }

        @Test
        void agingLiftsAStarvingTaskOneLevelPerPeriod() {
            newEngine(EngineConfig.defaults().withPriorityAgingMillis(1_000));
            TaskView low = submit("a", Priority.LOW);
            now += 1_500; // LOW has aged one step: MEDIUM, but a fresh HIGH still wins
            TaskView high = submit("a", Priority.HIGH);
            TaskView medium = submit("a", Priority.MEDIUM);
            agent("w", 10, "a");
            assertEquals(high.id(), claimOne("w").task().id());
            // LOW (aged to MEDIUM, waiting longer) ties on level with the fresh MEDIUM; scorer prefers
            // the natively higher priority, then age
            assertEquals(medium.id(), claimOne("w").task().id());
            now += 1_000; // two steps: LOW is now HIGH
            TaskView medium2 = submit("a", Priority.MEDIUM);
            assertEquals(low.id(), claimOne("w").task().id());
            assertEquals(medium2.id(), claimOne("w").task().id());
        }

        @Test
        void withAgingOffLowWaitsForever() {
            newEngine(EngineConfig.defaults().withPriorityAgingMillis(0));
            TaskView low = submit("a", Priority.LOW);
            now += 10_000_000;
            TaskView medium = submit("a", Priority.MEDIUM);
            agent("w", 10, "a");
            assertEquals(medium.id(), claimOne("w").task().id());
            assertEquals(low.id(), claimOne("w").task().id());
        }

        @Test
        void anAgentSeesOnlyItsTypesAndGeneralSeesAll() {
            TaskView emb = submit("embedding", Priority.LOW);
            TaskView code = submit("coding", Priority.CRITICAL);
            agent("emb", 5, "embedding");
            agent("any", 5, "general");
            assertEquals(emb.id(), claimOne("emb").task().id());
            assertNothingFor("emb");
            assertEquals(code.id(), claimOne("any").task().id());
        }

        @Test
        void aClaimNeverExceedsFreeSlots() {
            for (int i = 0; i < 5; i++) {
                submit("a", Priority.MEDIUM);
            }
            agent("w", 3, "a");
            assertEquals(3, engine.claim("w", 10, now).size());
            assertTrue(engine.claim("w", 10, now).isEmpty());
            assertEquals(2, engine.stats(now).pending());
        }

        @Test
        void maxRunningCapsATypeAcrossTheFleet() {
            newEngine(EngineConfig.defaults().withTypes(Map.of("embedding", new TypePolicy(2, null))));
            for (int i = 0; i < 3; i++) {
                submit("embedding", Priority.MEDIUM);
            }
            TaskView other = submit("coding", Priority.LOW);
            agent("a", 5, "general");
            agent("b", 5, "general");
            ClaimedTask first = claimOne("a");
            claimOne("b");
            assertEquals(other.id(), claimOne("a").task().id(), "the capped type is skipped, not blocking others");
            assertNothingFor("b");
            engine.complete(first.task().id(), first.leaseId(), "{}", now);
            assertEquals("embedding", claimOne("b").task().type());
        }

        @Test
        void queuePositionCountsHigherLevelsAndSkipsCancelled() {
            TaskView m1 = submit("a", Priority.MEDIUM);
            TaskView m2 = submit("a", Priority.MEDIUM);
            TaskView m3 = submit("a", Priority.MEDIUM);
            submit("a", Priority.HIGH);
            submit("b", Priority.CRITICAL); // another type never counts
            assertEquals(1, engine.task(m1.id(), now).queuePosition());
            assertEquals(3, engine.task(m3.id(), now).queuePosition());
            engine.cancel(m2.id(), now);
            assertEquals(2, engine.task(m3.id(), now).queuePosition());
            agent("w", 5, "a");
            claimOne("w");
            claimOne("w");
            assertEquals(0, engine.task(m3.id(), now).queuePosition());
            assertNull(engine.task(m1.id(), now).queuePosition(), "a running task has no queue position");
        }

        @Test
        void unknownAgentCannotClaim() {
            assertEquals("agent_not_found", assertThrows(NotFoundException.class, () -> engine.claim("ghost", 1, now)).code());
        }
    }

    @Nested
    class Leases extends EngineHarness {

        @Test
        void finishedRunsDoNotPinTheirTasksInTheLeaseTimers() {
            agent("w", 1, "a");
            for (int i = 0; i < 5_000; i++) {
                TaskView t = submit("a", Priority.LOW);
                ClaimedTask c = claimOne("w");
                engine.complete(t.id(), c.leaseId(), null, now);
            }
            assertTrue(engine.inspect(parts -> parts.timers().leaseEntries()) <= 1_100, "void lease timers are swept: " + engine.inspect(parts -> parts.timers().leaseEntries()));
        }

        @Test
        void heartbeatStartsTheTaskAndExtendsTheLease() {
            submit("a", Priority.MEDIUM);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            assertEquals(TaskStatus.ASSIGNED, c.task().status());
            assertEquals(now + 30_000, c.leaseExpiresAt());
            now += 20_000;
            HeartbeatResult hb = engine.heartbeat(c.task().id(), c.leaseId(), 40, "halfway", now);
            assertEquals(now + 30_000, hb.leaseExpiresAt());
            assertFalse(hb.cancelRequested());
            assertEquals(TaskStatus.IN_PROGRESS, hb.task().status());
            assertEquals(40, hb.task().progress());
            assertEquals("halfway", hb.task().message());
            advance(20_000); // past the first expiry, within the extended one
            assertEquals(TaskStatus.IN_PROGRESS, status(c.task().id()));
            assertEquals(List.of(EventType.SUBMITTED, EventType.ASSIGNED, EventType.STARTED, EventType.PROGRESS),
                    eventTypesOf(c.task().id()));
        }

        @Test
        void aLeaseHolderCheckSeesTheLeasesAgentAndARefusalChangesNothing() {
            submit("a", Priority.MEDIUM);
            agent("alice", 1, "a");
            ClaimedTask c = claimOne("alice");
            String id = c.task().id();
            LeaseHolderCheck onlyBob = (taskId, agentId) -> {
                if (!"bob".equals(agentId)) {
                    throw new IllegalStateException(taskId + " is " + agentId + "'s");
                }
            };
            long seq = engine.lastSeq();
            assertEquals(id + " is alice's", assertThrows(IllegalStateException.class,
                    () -> engine.heartbeat(id, c.leaseId(), 50, "bob", now, onlyBob)).getMessage());
            assertThrows(IllegalStateException.class, () -> engine.complete(id, c.leaseId(), "{}", now, onlyBob));
            assertThrows(IllegalStateException.class, () -> engine.fail(id, c.leaseId(), "no", false, now, onlyBob));
            assertEquals(seq, engine.lastSeq(), "a refused call changes nothing");
            assertEquals(TaskStatus.ASSIGNED, status(id));
            assertEquals(TaskStatus.COMPLETED, engine.complete(id, c.leaseId(), null, now,
                    (taskId, agentId) -> assertEquals("alice", agentId)).task().status());
            assertThrows(IllegalStateException.class, () -> engine.complete(id, c.leaseId(), null, now, onlyBob),
                    "a repeated complete is answered only to the lease's agent");
        }

        @Test
        void completeStoresTheResultAndADuplicateIsRecognised() {
            submit("a", Priority.MEDIUM);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            now += 250;
            CompletionResult done = engine.complete(c.task().id(), c.leaseId(), "{\"ok\":true}", now);
            assertFalse(done.duplicate());
            assertEquals(TaskStatus.COMPLETED, done.task().status());
            assertEquals("{\"ok\":true}", done.task().result());
            assertEquals(now, done.task().completedAt());
            long seq = engine.lastSeq();
            CompletionResult again = engine.complete(c.task().id(), c.leaseId(), "{\"ok\":true}", now + 1);
            assertTrue(again.duplicate());
            assertEquals(seq, engine.lastSeq(), "a duplicate changes nothing");
            AgentView w = engine.agent("w", now);
            assertEquals(1, w.overall().completed());
            assertEquals(250.0, w.byType().get("a").meanMillis());
            assertTrue(w.active().isEmpty());
        }

        @Test
        void aStaleLeaseIsRefusedAndChangesNothing() {
            submit("a", Priority.MEDIUM);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            long seq = engine.lastSeq();
            ConflictException e = assertThrows(ConflictException.class,
                    () -> engine.complete(c.task().id(), "not-the-lease", "{}", now));
            assertEquals("lease_expired", e.code());
            assertThrows(ConflictException.class, () -> engine.heartbeat(c.task().id(), "nope", null, null, now));
            assertThrows(ConflictException.class, () -> engine.fail(c.task().id(), null, "x", true, now));
            assertEquals(seq, engine.lastSeq());
            assertEquals(TaskStatus.ASSIGNED, status(c.task().id()));
        }

        @Test
        void anExpiredLeaseRequeuesAtTheFrontAndCountsTheAttempt() {
            TaskView first = submit("a", Priority.MEDIUM);
            TaskView second = submit("a", Priority.MEDIUM);
            agent("w", 1, "a");
            agent("v", 1, "a");
            ClaimedTask c = claimOne("w");
            assertEquals(first.id(), c.task().id());
            advance(30_000);
            TaskView expired = engine.task(first.id(), now);
            assertEquals(TaskStatus.PENDING, expired.status());
            assertEquals(1, expired.attempt());
            assertEquals(1, expired.expiries());
            assertEquals(0, expired.failures());
            assertEquals(0, expired.queuePosition(), "back at the front, ahead of " + second.id());
            assertNull(expired.assignedAgent(), "a re-queued task has no agent");
            assertNull(expired.startedAt(), "a re-queued task has not started");
            assertEquals("lease_expired", assertThrows(ConflictException.class,
                    () -> engine.complete(first.id(), c.leaseId(), "{}", now)).code());
            ClaimedTask again = claimOne("v");
            assertEquals(first.id(), again.task().id());
            assertNotEquals(c.leaseId(), again.leaseId());
            assertEquals(1, engine.agent("w", now).overall().failed(), "an expiry counts against the agent");
        }

        @Test
        void aLateCallPastTheLeaseIsRefusedEvenBeforeTheReaperRuns() {
            submit("a", Priority.MEDIUM);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            now += 30_001; // no tick
            assertEquals("lease_expired", assertThrows(ConflictException.class,
                    () -> engine.heartbeat(c.task().id(), c.leaseId(), 10, null, now)).code());
            assertEquals(TaskStatus.PENDING, status(c.task().id()));
        }

        @Test
        void tooManyExpiriesFailTheTaskAsAPoisonPill() {
            TaskView t = submit("a", Priority.MEDIUM);
            agent("w", 1, "a");
            for (int i = 0; i < 5; i++) {
                claimOne("w");
                advance(30_000);
            }
            TaskView dead = engine.task(t.id(), now);
            assertEquals(TaskStatus.FAILED, dead.status());
            assertEquals(5, dead.expiries());
            assertTrue(dead.error().contains("poison pill"), dead.error());
        }

        @Test
        void cancellingARunningTaskTellsTheAgentAndRefusesItsCompletion() {
            TaskView t = submit("a", Priority.MEDIUM);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            CompletionResult cancelled = engine.cancel(t.id(), now);
            assertEquals(TaskStatus.CANCELLED, cancelled.task().status());
            assertTrue(engine.agent("w", now).active().isEmpty(), "the slot is free at once");
            HeartbeatResult hb = engine.heartbeat(t.id(), c.leaseId(), 50, null, now);
            assertTrue(hb.cancelRequested());
            assertEquals("task_cancelled", assertThrows(ConflictException.class,
                    () -> engine.complete(t.id(), c.leaseId(), "{}", now)).code());
            assertTrue(engine.cancel(t.id(), now).duplicate(), "cancelling again is a harmless repeat");
        }

        @Test
        void aCompletedTaskCannotBeCancelled() {
            TaskView t = submit("a", Priority.MEDIUM);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            engine.complete(t.id(), c.leaseId(), null, now);
            IllegalTransitionException e = assertThrows(IllegalTransitionException.class, () -> engine.cancel(t.id(), now));
            assertEquals(TaskStatus.COMPLETED, e.from());
        }

        @Test
        void cancellingPendingAndScheduledTasksTakesThemOutOfPlay() {
            TaskView pending = submit("a", Priority.MEDIUM);
            TaskView scheduled = submit(TaskSpec.of("a", Priority.MEDIUM).withRunAt(now + 1_000));
            engine.cancel(pending.id(), now);
            engine.cancel(scheduled.id(), now);
            advance(2_000);
            agent("w", 1, "a");
            assertNothingFor("w");
            assertEquals(TaskStatus.CANCELLED, status(scheduled.id()));
            assertEquals(2, engine.stats(now).cancelled());
        }
    }

    @Nested
    class Retries extends EngineHarness {

        @Test
        void aRetryableFailureBacksOffWithJitterAndReturnsOneLevelLower() {
            TaskView t = submit("a", Priority.HIGH);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            CompletionResult failed = engine.fail(t.id(), c.leaseId(), "boom", true, now);
            assertEquals(TaskStatus.SCHEDULED, failed.task().status());
            assertEquals(Priority.MEDIUM, failed.task().level());
            long wait = failed.task().runAt() - now;
            assertTrue(wait >= 9_000 && wait <= 11_000, "10 s ± 10 %, was " + wait);
            assertEquals(1, failed.task().failures());
            assertNull(failed.task().assignedAgent(), "a task waiting for its retry has no agent");
            assertNull(failed.task().startedAt());
            assertEquals("boom", failed.task().error(), "the failed run's error stays readable");
            assertTrue(engine.fail(t.id(), c.leaseId(), "boom", true, now).duplicate());
            assertNothingFor("w");
            advance(wait);
            ClaimedTask again = claimOne("w");
            assertEquals(t.id(), again.task().id());
            assertEquals(Priority.MEDIUM, again.task().level());
            assertTrue(eventTypesOf(t.id()).contains(EventType.RETRYING));
        }

        @Test
        void aTickSaysWhenTheNextLeaseRunsOutOrTheNextRetryStarts() {
            TaskView t = submit("a", Priority.HIGH);
            agent("w", 2, "a");
            ClaimedTask c = claimOne("w");
            now += 1_000;
            ClaimAttempt parked = engine.claimOrWait("w", 1, now); // its agent cannot be lost meanwhile
            assertEquals(c.leaseExpiresAt(), engine.tick(now));
            long retryAt = engine.fail(t.id(), c.leaseId(), "boom", true, now).task().runAt();
            assertEquals(retryAt, engine.tick(now));
            engine.endWait(parked.pending(), now);
        }

        @Test
        void afterTheLastRetryTheTaskIsADeadLetterThatRetryRequeues() {
            TaskView t = submit(TaskSpec.of("a", Priority.HIGH).withMaxRetries(1));
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            engine.fail(t.id(), c.leaseId(), "one", true, now);
            advance(20_000);
            ClaimedTask c2 = claimOne("w");
            CompletionResult dead = engine.fail(t.id(), c2.leaseId(), "two", true, now);
            assertEquals(TaskStatus.FAILED, dead.task().status());
            assertEquals("two", dead.task().error());
            assertEquals(List.of(dead.task().id()), engine.list(new TaskQuery(TaskStatus.FAILED, null, null, 10, null), now)
                    .tasks().stream().map(TaskView::id).toList());
            CompletionResult requeued = engine.retry(t.id(), now);
            assertEquals(TaskStatus.PENDING, requeued.task().status());
            assertEquals(Priority.HIGH, requeued.task().level(), "back at its own priority");
            assertEquals(0, requeued.task().failures());
            assertNull(requeued.task().assignedAgent());
            assertNull(requeued.task().startedAt());
            assertEquals(t.id(), claimOne("w").task().id());
        }

        @Test
        void aNonRetryableFailureFailsAtOnce() {
            TaskView t = submit("a", Priority.HIGH);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            assertEquals(TaskStatus.FAILED, engine.fail(t.id(), c.leaseId(), "bad input", false, now).task().status());
            assertEquals(1, engine.agent("w", now).overall().failed());
        }

        @Test
        void retryOfATaskThatIsNotADeadLetterIsAConflict() {
            TaskView t = submit("a", Priority.HIGH);
            assertThrows(IllegalTransitionException.class, () -> engine.retry(t.id(), now));
        }

        @Test
        void perTypeBackoffApplies() {
            newEngine(EngineConfig.defaults().withTypes(Map.of("a",
                    new TypePolicy(null, new RetryPolicy(5, List.of(100L))))));
            TaskView t = submit("a", Priority.LOW);
            assertEquals(5, t.maxRetries());
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            long wait = engine.fail(t.id(), c.leaseId(), "x", true, now).task().runAt() - now;
            assertTrue(wait >= 90 && wait <= 110, "was " + wait);
            assertEquals(Priority.LOW, engine.task(t.id(), now).level(), "LOW stays LOW");
        }
    }

    @Nested
    class LongPolls extends EngineHarness {

        @Test
        void shuttingDownAnswersEveryParkedClaimEmpty() {
            agent("w", 1, "a");
            agent("v", 1, "general");
            ClaimAttempt one = engine.claimOrWait("w", 1, now);
            ClaimAttempt two = engine.claimOrWait("v", 1, now);
            engine.endAllWaits(now);
            assertTrue(one.pending().result().isDone() && one.pending().result().join().isEmpty());
            assertTrue(two.pending().result().isDone() && two.pending().result().join().isEmpty());
            assertEquals(0, engine.stats(now).agentsWaiting());
        }

        @Test
        void aParkedClaimGetsTheNextTaskPushed() {
            agent("w", 1, "a");
            ClaimAttempt attempt = engine.claimOrWait("w", 1, now);
            assertTrue(attempt.parked());
            assertFalse(attempt.pending().result().isDone());
            TaskView t = submit("a", Priority.LOW);
            assertTrue(attempt.pending().result().isDone());
            List<ClaimedTask> got = attempt.pending().result().join();
            assertEquals(t.id(), got.get(0).task().id());
            assertEquals(TaskStatus.ASSIGNED, status(t.id()));
            assertEquals(List.of(EventType.SUBMITTED, EventType.ASSIGNED), eventTypesOf(t.id()));
        }

        @Test
        void oneTaskWakesExactlyOneWaiter() {
            agent("w1", 1, "a");
            agent("w2", 1, "a");
            ClaimAttempt one = engine.claimOrWait("w1", 1, now);
            ClaimAttempt two = engine.claimOrWait("w2", 1, now);
            submit("a", Priority.LOW);
            assertEquals(1, (one.pending().result().isDone() ? 1 : 0) + (two.pending().result().isDone() ? 1 : 0));
            submit("a", Priority.LOW);
            assertTrue(one.pending().result().isDone() && two.pending().result().isDone());
        }

        @Test
        void endWaitAnswersEmptyAndOnlyOnce() {
            agent("w", 1, "a");
            ClaimAttempt attempt = engine.claimOrWait("w", 1, now);
            engine.endWait(attempt.pending(), now);
            assertEquals(List.of(), attempt.pending().result().join());
            TaskView t = submit("a", Priority.LOW);
            assertEquals(TaskStatus.PENDING, status(t.id()), "an ended wait receives nothing");
            engine.endWait(attempt.pending(), now); // harmless
        }

        @Test
        void aWaiterOfAnotherTypeIsNotWoken() {
            agent("w", 1, "embedding");
            ClaimAttempt attempt = engine.claimOrWait("w", 1, now);
            submit("coding", Priority.CRITICAL);
            assertFalse(attempt.pending().result().isDone());
            engine.endWait(attempt.pending(), now);
        }

        @Test
        void aFullAgentWaitsUntilASlotFrees() {
            submit("a", Priority.LOW);
            submit("a", Priority.LOW);
            agent("w", 1, "a");
            ClaimedTask running = claimOne("w");
            ClaimAttempt attempt = engine.claimOrWait("w", 1, now);
            assertTrue(attempt.parked());
            engine.complete(running.task().id(), running.leaseId(), null, now);
            assertEquals(1, attempt.pending().result().join().size());
        }

        @Test
        void theSpecialistBeatsTheGeneralist() {
            agent("generalist", 1, "general");
            agent("specialist", 1, "embedding");
            ClaimAttempt g = engine.claimOrWait("generalist", 1, now);
            ClaimAttempt s = engine.claimOrWait("specialist", 1, now);
            submit("embedding", Priority.MEDIUM);
            assertTrue(s.pending().result().isDone());
            assertFalse(g.pending().result().isDone());
            engine.endWait(g.pending(), now);
        }

        @Test
        void theIdleAgentBeatsTheBusyOne() {
            agent("busy", 2, "a");
            agent("idle", 2, "a");
            submit("a", Priority.LOW);
            claimOne("busy");
            ClaimAttempt busy = engine.claimOrWait("busy", 1, now);
            ClaimAttempt idle = engine.claimOrWait("idle", 1, now);
            submit("a", Priority.LOW);
            assertTrue(idle.pending().result().isDone());
            assertFalse(busy.pending().result().isDone());
            engine.endWait(busy.pending(), now);
        }

        @Test
        void theReliableAgentBeatsTheFailingOne() {
            newEngine(EngineConfig.defaults().withTypes(Map.of("a", new TypePolicy(null, new RetryPolicy(0, List.of(1L))))));
            agent("flaky", 1, "a");
            agent("solid", 1, "a");
            for (int i = 0; i < 3; i++) {
                submit("a", Priority.LOW);
                ClaimedTask f = claimOne("flaky");
                engine.fail(f.task().id(), f.leaseId(), "oops", false, now);
                submit("a", Priority.LOW);
                ClaimedTask s = claimOne("solid");
                engine.complete(s.task().id(), s.leaseId(), null, now);
            }
            ClaimAttempt flaky = engine.claimOrWait("flaky", 1, now); // parked first: would win a tie
            ClaimAttempt solid = engine.claimOrWait("solid", 1, now);
            submit("a", Priority.LOW);
            assertTrue(solid.pending().result().isDone());
            assertFalse(flaky.pending().result().isDone());
            engine.endWait(flaky.pending(), now);
        }

        @Test
        void theFasterAgentBeatsTheSlowerOne() {
            agent("slow", 1, "a");
            agent("fast", 1, "a");
            for (int i = 0; i < 3; i++) {
                submit("a", Priority.LOW);
                ClaimedTask s = claimOne("slow");
                now += 1_000;
                engine.complete(s.task().id(), s.leaseId(), null, now);
                submit("a", Priority.LOW);
                ClaimedTask f = claimOne("fast");
                now += 100;
                engine.complete(f.task().id(), f.leaseId(), null, now);
            }
            ClaimAttempt slow = engine.claimOrWait("slow", 1, now);
            ClaimAttempt fast = engine.claimOrWait("fast", 1, now);
            submit("a", Priority.LOW);
            assertTrue(fast.pending().result().isDone());
            engine.endWait(slow.pending(), now);
        }
    }

    @Nested
    class Agents extends EngineHarness {

        @Test
        void registrationIsAnUpdateThatKeepsHistory() {
            agent("w", 1, "a");
            submit("a", Priority.LOW);
            ClaimedTask c = claimOne("w");
            engine.complete(c.task().id(), c.leaseId(), null, now);
            AgentView updated = agent("w", 4, "a", "b");
            assertEquals(4, updated.maxConcurrency());
            assertEquals(Set.of("a", "b"), updated.capabilities());
            assertEquals(1, updated.overall().completed());
        }

        @Test
        void badRegistrationsAreRefused() {
            assertEquals("capabilities", assertThrows(InvalidRequestException.class,
                    () -> engine.registerAgent(new AgentSpec("w", Set.of(), 1, Map.of()), now)).field());
            assertEquals("max_concurrency", assertThrows(InvalidRequestException.class,
                    () -> engine.registerAgent(new AgentSpec("w", Set.of("a"), 0, Map.of()), now)).field());
            assertTrue(engine.agents(now).isEmpty());
        }

        @Test
        void aSilentAgentIsLostAndComesBackWhenHeard() {
            agent("w", 1, "a");
            advance(30_000);
            assertTrue(engine.agent("w", now).lost());
            assertEquals(1, engine.stats(now).agentsLost());
            engine.claim("w", 1, now);
            assertFalse(engine.agent("w", now).lost());
        }

        @Test
        void anAgentInALongPollIsNotLost() {
            agent("w", 1, "a");
            ClaimAttempt attempt = engine.claimOrWait("w", 1, now);
            advance(60_000);
            assertFalse(engine.agent("w", now).lost());
            engine.endWait(attempt.pending(), now);
        }

        @Test
        void aTickSaysWhenTheNextAgentMayBeLost() {
            assertEquals(Long.MAX_VALUE, engine.tick(now), "nothing can come due in an empty engine");
            agent("w", 1, "a");
            assertEquals(now + 30_000, engine.tick(now));
            ClaimAttempt attempt = engine.claimOrWait("w", 1, now);
            assertEquals(Long.MAX_VALUE, engine.tick(now), "an agent in a long-poll cannot be lost");
            now += 25_000;
            engine.endWait(attempt.pending(), now); // no tick since the wait began
            assertEquals(now + 30_000, engine.tick(now), "seen until its wait ended, not until the last tick");
            advance(29_999);
            assertFalse(engine.agent("w", now).lost());
            advance(1);
            assertTrue(engine.agent("w", now).lost());
            assertEquals(Long.MAX_VALUE, engine.tick(now), "a lost agent cannot be lost again");
        }

        @Test
        void aLeavingAgentHandsItsTasksBack() {
            TaskView t = submit("a", Priority.LOW);
            agent("w", 1, "a");
            agent("v", 1, "a");
            claimOne("w");
            engine.removeAgent("w", now);
            assertThrows(NotFoundException.class, () -> engine.agent("w", now));
            TaskView back = engine.task(t.id(), now);
            assertEquals(TaskStatus.PENDING, back.status());
            assertEquals(1, back.attempt());
            assertEquals(0, back.expiries());
            assertNull(back.assignedAgent());
            assertNull(back.startedAt());
            assertEquals(t.id(), claimOne("v").task().id());
        }
    }

    @Nested
    class Reading extends EngineHarness {

        @Test
        void listPagesInIdOrderWithFilters() {
            for (int i = 0; i < 5; i++) {
                submit(TaskSpec.of(i % 2 == 0 ? "even" : "odd", Priority.LOW).withId("t" + i));
            }
            TaskPage first = engine.list(new TaskQuery(null, null, null, 2, null), now);
            assertEquals(List.of("t0", "t1"), first.tasks().stream().map(TaskView::id).toList());
            assertEquals("t1", first.nextAfter());
            TaskPage rest = engine.list(new TaskQuery(null, null, null, 10, first.nextAfter()), now);
            assertEquals(List.of("t2", "t3", "t4"), rest.tasks().stream().map(TaskView::id).toList());
            assertNull(rest.nextAfter());
            assertEquals(List.of("t0", "t2", "t4"), engine.list(new TaskQuery(null, "even", null, 10, null), now)
                    .tasks().stream().map(TaskView::id).toList());
            agent("w", 1, "odd");
            claimOne("w");
            assertEquals(List.of("t1"), engine.list(new TaskQuery(TaskStatus.ASSIGNED, null, "w", 10, null), now)
                    .tasks().stream().map(TaskView::id).toList());
        }

        @Test
        void finishedTasksStayReadableForTheRetentionThenGo() {
            TaskView t = submit("a", Priority.LOW);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            engine.complete(t.id(), c.leaseId(), "{\"n\":1}", now);
            advance(23 * 3_600_000L);
            assertEquals("{\"n\":1}", engine.task(t.id(), now).result());
            advance(2 * 3_600_000L);
            assertThrows(NotFoundException.class, () -> engine.task(t.id(), now));
            assertTrue(engine.list(new TaskQuery(null, null, null, 10, null), now).tasks().isEmpty());
        }

        @Test
        void statsCountWhatIsWhere() {
            submit("a", Priority.HIGH);
            submit("a", Priority.LOW);
            submit("b", Priority.LOW);
            submit(TaskSpec.of("a", Priority.LOW).withRunAt(now + 60_000));
            agent("w", 2, "a");
            claimOne("w");
            EngineStats stats = engine.stats(now);
            assertEquals(2, stats.pending());
            assertEquals(1, stats.running());
            assertEquals(1, stats.scheduled());
            assertEquals(Map.of("a", 1, "b", 1), stats.depthByLevelAndType().get(Priority.LOW));
            assertEquals(0, stats.depthByLevel().get(Priority.HIGH));
            assertEquals(0.5, stats.utilisation());
            assertEquals(4, stats.submitted());
        }
    }

    @Nested
    class Dependencies extends EngineHarness {

        @Test
        void aDependentWaitsForItsParentAndIsReleasedOnCompletion() {
            TaskView parent = submit("a", Priority.LOW);
            TaskView child = submit(TaskSpec.of("a", Priority.HIGH).withDependsOn(List.of(parent.id())));
            assertEquals(TaskStatus.WAITING, child.status());
            assertEquals(List.of(parent.id()), child.waitingOn());
            assertNull(child.queuePosition());
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            assertEquals(parent.id(), c.task().id(), "the waiting child is not claimable");
            engine.complete(parent.id(), c.leaseId(), null, now);
            assertEquals(TaskStatus.PENDING, status(child.id()));
            assertTrue(eventTypesOf(child.id()).contains(EventType.RELEASED));
        }

        @Test
        void aFailedParentCancelsItsDependentsTransitively() {
            TaskView root = submit(TaskSpec.of("a", Priority.LOW).withMaxRetries(0));
            TaskView mid = submit(TaskSpec.of("a", Priority.LOW).withDependsOn(List.of(root.id())));
            TaskView leaf = submit(TaskSpec.of("a", Priority.LOW).withDependsOn(List.of(mid.id())));
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            engine.fail(root.id(), c.leaseId(), "x", true, now);
            assertEquals(TaskStatus.CANCELLED, status(mid.id()));
            assertEquals("dependency " + root.id() + " FAILED", engine.task(mid.id(), now).error());
            assertEquals("dependency " + mid.id() + " CANCELLED", engine.task(leaf.id(), now).error());
        }

        @Test
        void aDependentThatRunsOnFailureIsReleased() {
            TaskView root = submit("a", Priority.LOW);
            TaskView cleanup = submit(new TaskSpec(null, "a", null, Priority.LOW, null, List.of(root.id()), null, null, true));
            engine.cancel(root.id(), now);
            assertEquals(TaskStatus.PENDING, status(cleanup.id()));
        }

        @Test
        void dependingOnAFinishedTaskSettlesAtOnce() {
            TaskView done = submit("a", Priority.LOW);
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            engine.complete(done.id(), c.leaseId(), null, now);
            assertEquals(TaskStatus.PENDING, submit(TaskSpec.of("a", Priority.LOW).withDependsOn(List.of(done.id()))).status());
            TaskView cancelled = submit("a", Priority.LOW);
            engine.cancel(cancelled.id(), now);
            TaskView orphan = submit(TaskSpec.of("a", Priority.LOW).withDependsOn(List.of(cancelled.id())));
            assertEquals(TaskStatus.CANCELLED, orphan.status());
        }

        @Test
        void cancellingAWaitingTaskCascades() {
            TaskView root = submit("a", Priority.LOW);
            TaskView mid = submit(TaskSpec.of("a", Priority.LOW).withDependsOn(List.of(root.id())));
            TaskView leaf = submit(TaskSpec.of("a", Priority.LOW).withDependsOn(List.of(mid.id())));
            engine.cancel(mid.id(), now);
            assertEquals(TaskStatus.CANCELLED, status(leaf.id()));
            assertEquals(TaskStatus.PENDING, status(root.id()));
            agent("w", 1, "a");
            ClaimedTask c = claimOne("w");
            engine.complete(root.id(), c.leaseId(), null, now);
            assertEquals(TaskStatus.CANCELLED, status(mid.id()), "a cancelled dependent is never released");
        }
    }

    @Test
    void eventsCarryTheTaskAsItIsAfterTheChange() {
        EngineHarness h = new EngineHarness() { };
        TaskView t = h.submit("a", Priority.HIGH);
        h.agent("w", 1, "a");
        ClaimedTask c = h.claimOne("w");
        h.engine.complete(t.id(), c.leaseId(), "{}", h.now);
        TaskEvent last = h.events.get(h.events.size() - 1);
        assertEquals(EventType.COMPLETED, last.type());
        assertEquals(TaskStatus.COMPLETED, last.status());
        assertEquals("w", last.agentId());
        assertNotNull(last.task());
        assertEquals("{}", last.task().result());
        h.checkInvariantsAndEvents();
    }
}
