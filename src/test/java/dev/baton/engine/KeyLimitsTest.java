package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rate limits per key, concurrency keys and fair share inside a level ({@link KeyLimits}, {@link ReadyQueue}), on the fake clock. */
class KeyLimitsTest extends EngineHarness {

    static final long SECOND = 1_000;

    static TaskSpec keyed(String type, String rateKey, int cost, String concurrencyKey) {
        return TaskSpec.of(type, Priority.MEDIUM).withKeys(rateKey, cost, concurrencyKey);
    }

    static LimitSettings rate(String key, long rate, long windowMillis, Long burst) {
        return new LimitSettings(key, rate, windowMillis, burst, null);
    }

    static LimitSettings cap(String key, int maxRunning) {
        return new LimitSettings(key, null, null, null, maxRunning);
    }

    private void limits(LimitSettings... limits) {
        Map<String, LimitSettings> byKey = new HashMap<>();
        for (LimitSettings limit : limits) {
            byKey.put(limit.key(), limit);
        }
        newEngine(EngineConfig.defaults().withLimits(byKey));
    }

    private static List<ClaimedTask> answered(ClaimAttempt parked) {
        assertTrue(parked.pending().result().isDone(), "the parked claim was answered");
        return parked.pending().result().join();
    }

    /** Claims one at a time until nothing is handed out, completing each at once; answers the tasks in claim order. */
    private List<TaskView> drain(String agentId) {
        List<TaskView> handed = new ArrayList<>();
        for (List<ClaimedTask> got = engine.claim(agentId, 1, now); !got.isEmpty(); got = engine.claim(agentId, 1, now)) {
            ClaimedTask c = got.get(0);
            handed.add(c.task());
            engine.complete(c.task().id(), c.leaseId(), null, now);
        }
        return handed;
    }

    @Test
    void aLimitedKeyNeverSpendsMoreThanItsBucketAllowsWhileOtherKeysRunMeanwhile() {
        limits(rate("openai:*", 5, SECOND, 8L));
        agent("w", 1_000, "llm");
        List<String> limited = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            limited.add(submit(keyed("llm", "openai:gpt", 1 + i % 3, null)).id());
            submit(keyed("llm", "local:" + (i % 4), 1, null));
        }
        List<Long> spentAt = new ArrayList<>();
        List<Integer> costs = new ArrayList<>();
        int others = 0;
        for (int step = 0; step < 600 && spentAt.size() < limited.size(); step++) {
            for (TaskView t : drain("w")) {
                if ("openai:gpt".equals(t.rateKey())) {
                    spentAt.add(now);
                    costs.add(t.cost());
                } else {
                    others++;
                }
            }
            if (step == 0) {
                assertEquals(60, others, "every task of the unlimited keys ran at once, none waits behind the limited key");
                TaskView waiting = engine.task(limited.get(limited.size() - 1), now);
                assertEquals("openai:gpt", waiting.waitingOnLimit());
                assertNull(waiting.queuePosition());
                assertEquals(1, engine.stats(now).rateLimited() > 0 ? 1 : 0);
            }
            advance(50);
        }
        assertEquals(limited.size(), spentAt.size(), "every limited task ran in the end");
        // token bucket: over any span [t_i, t_j], spent <= burst + rate * span / window (+ one task's cost that may overdraw nothing)
        for (int i = 0; i < spentAt.size(); i++) {
            long spent = 0;
            for (int j = i; j < spentAt.size(); j++) {
                spent += costs.get(j);
                long allowedTimes1000 = 8 * SECOND + 5 * (spentAt.get(j) - spentAt.get(i));
                assertTrue(spent * SECOND <= allowedTimes1000, "spent " + spent + " between " + spentAt.get(i) + " and "
                        + spentAt.get(j));
            }
        }
        long total = costs.stream().mapToLong(Integer::longValue).sum();
        long took = spentAt.get(spentAt.size() - 1) - spentAt.get(0);
        assertTrue(took >= (total - 8) * SECOND / 5, "the key ran at its rate, not faster: " + took + " ms for " + total);
        assertTrue(took <= (total - 8) * SECOND / 5 + 2 * SECOND, "and not much slower: " + took + " ms for " + total);
    }

    @Test
    void heldTasksKeepTheirOrderAndParkedClaimsWakeOnTheRefill() {
        limits(rate("k", 1, SECOND, null));
        agent("w", 5, "t");
        TaskView first = submit(keyed("t", "k", 1, null));
        TaskView second = submit(keyed("t", "k", 1, null));
        TaskView third = submit(keyed("t", "k", 1, null));
        assertEquals(first.id(), claimOne("w").task().id());
        ClaimAttempt parked = engine.claimOrWait("w", 1, now);
        assertTrue(parked.parked(), "the key's budget is spent");
        advance(SECOND - 1);
        assertFalse(parked.pending().result().isDone());
        advance(1);
        assertEquals(second.id(), answered(parked).get(0).task().id(), "the refill timer woke it");
        assertNothingFor("w");
        advance(SECOND);
        assertEquals(third.id(), claimOne("w").task().id());
    }

    @Test
    void aTaskCostingMoreThanTheBurstRunsOnAFullBucketAndLeavesItInDebt() {
        limits(rate("k", 2, SECOND, null));
        agent("w", 5, "t");
        TaskView big = submit(keyed("t", "k", 5, null));
        TaskView small = submit(keyed("t", "k", 1, null));
        assertEquals(big.id(), claimOne("w").task().id());
        assertNothingFor("w");
        advance(1_500);
        assertNothingFor("w"); // 3 of debt paid, one unit short
        advance(2_000);
        assertEquals(small.id(), claimOne("w").task().id());
    }

    @Test
    void concurrencyKeysAreHandedOutRoundRobinWithinOneTaskPerRound() {
        agent("w", 1_000, "t");
        Map<String, Integer> left = new HashMap<>(Map.of("big", 100, "mid", 10, "small", 3));
        left.forEach((key, count) -> {
            for (int i = 0; i < count; i++) {
                submit(keyed("t", null, 1, "tenant:" + key));
            }
        });
        for (int i = 0; i < 4; i++) {
            submit("t", Priority.MEDIUM); // no key: a group of its own
        }
        left.put("", 4);
        Map<String, Integer> got = new HashMap<>();
        for (TaskView t : drain("w")) {
            String key = t.concurrencyKey() == null ? "" : t.concurrencyKey().substring("tenant:".length());
            got.merge(key, 1, Integer::sum);
            // fair share: every group that still has tasks has had within one of every other such group
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (String k : left.keySet()) {
                int n = got.getOrDefault(k, 0);
                if (n < left.get(k)) {
                    min = Math.min(min, n);
                }
                max = Math.max(max, Math.min(n, left.get(k)));
            }
            assertTrue(min == Integer.MAX_VALUE || max - min <= 1, "unfair after " + got);
        }
        assertEquals(left, got);
    }

    @Test
    void priorityLevelsStayStrictOverConcurrencyKeys() {
        agent("w", 10, "t");
        submit(keyed("t", null, 1, "a"));
        TaskView high = engine.submit(TaskSpec.of("t", Priority.HIGH).withKeys(null, 1, "b"), now).task();
        assertEquals(high.id(), claimOne("w").task().id());
    }

    @Test
    void aConcurrencyKeysCapHoldsAndAFreedSlotFeedsAParkedClaim() {
        limits(cap("tenant:*", 2));
        agent("w", 10, "t");
        agent("v", 10, "t");
        List<String> a = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            a.add(submit(keyed("t", null, 1, "tenant:a")).id());
            submit(keyed("t", null, 1, "tenant:b"));
        }
        List<ClaimedTask> claimed = engine.claim("w", 10, now);
        Map<String, Long> byKey = new HashMap<>();
        claimed.forEach(c -> byKey.merge(c.task().concurrencyKey(), 1L, Long::sum));
        assertEquals(Map.of("tenant:a", 2L, "tenant:b", 2L), byKey, "two per key, however many slots the agent has");
        assertEquals("tenant:a", engine.task(a.get(4), now).waitingOnLimit());
        ClaimAttempt parked = engine.claimOrWait("v", 1, now);
        assertTrue(parked.parked());
        ClaimedTask doneA = claimed.stream().filter(c -> "tenant:a".equals(c.task().concurrencyKey())).findFirst().orElseThrow();
        engine.complete(doneA.task().id(), doneA.leaseId(), null, now);
        assertEquals("tenant:a", answered(parked).get(0).task().concurrencyKey());
    }

    @Test
    void runtimeLimitsApplyAtOnceAndSurviveARestoreAndRemovingOneRestoresTheConfiguredLimit() {
        limits(rate("k:*", 1, 60 * SECOND, null));
        agent("w", 10, "t");
        for (int i = 0; i < 4; i++) {
            submit(keyed("t", "k:1", 1, null));
        }
        claimOne("w");
        ClaimAttempt parked = engine.claimOrWait("w", 1, now);
        assertTrue(parked.parked());
        LimitUpdate update = engine.flow().setLimit(rate("k:*", 100, SECOND, null), now);
        advance(10); // the bucket keeps its (empty) share of the new capacity and refills at the new rate
        assertEquals(1, answered(parked).size(), "the raised limit's refill released a held task to the parked claim");
        assertTrue(events.stream().anyMatch(e -> e.type() == EventType.LIMIT_UPDATED && e.limit().rate() == 100));
        assertEquals(100L, update.limit().limit().rate());
        advance(SECOND);
        assertEquals(2, engine.claim("w", 10, now).size(), "the last two, at the new rate");

        EngineState state = engine.state();
        assertEquals(List.of(rate("k:*", 100, SECOND, null)), state.limits());
        Coordinator copy = new Coordinator(EngineConfig.defaults(), e -> { }, new SplittableRandom(3));
        copy.restore(state, now);
        EngineInvariants.check(copy);
        assertEquals(100L, copy.flow().limits(now).get(0).limit().rate());

        engine.flow().removeLimit("k:*", now);
        assertEquals(1L, engine.flow().limits(now).get(0).limit().rate(), "the configured limit again");
    }

    @Test
    void theMostSpecificPatternWinsAndEachKeyHasItsOwnBucket() {
        limits(rate("*", 1, 60 * SECOND, null), rate("openai:*", 2, 60 * SECOND, null), rate("openai:gpt", 3, 60 * SECOND, null));
        agent("w", 100, "t");
        for (String key : List.of("openai:gpt", "openai:mini", "openai:other", "site:x")) {
            for (int i = 0; i < 5; i++) {
                submit(keyed("t", key, 1, null));
            }
        }
        Map<String, Integer> got = new HashMap<>();
        drain("w").forEach(t -> got.merge(t.rateKey(), 1, Integer::sum));
        assertEquals(Map.of("openai:gpt", 3, "openai:mini", 2, "openai:other", 2, "site:x", 1), got);
        List<LimitView> views = engine.flow().limits(now);
        assertEquals(List.of("*", "openai:*", "openai:gpt"), views.stream().map(v -> v.limit().key()).toList());
        assertEquals(2, views.get(1).keysInUse());
        assertEquals(6, views.get(1).waiting(), "three of openai:mini, three of openai:other");
    }

    @Test
    void aCancelledHeldTaskLeavesAndKeysOfEndedTasksAreForgotten() {
        limits(rate("k", 1, 60 * SECOND, null), cap("c", 1));
        agent("w", 10, "t");
        ClaimedTask first = null;
        TaskView held = null;
        for (int i = 0; i < 3; i++) {
            TaskView t = submit(keyed("t", "k", 1, "c"));
            if (i == 2) {
                held = t;
            }
        }
        first = claimOne("w");
        engine.cancel(held.id(), now);
        engine.complete(first.task().id(), first.leaseId(), null, now);
        assertNothingFor("w"); // the second waits on the rate key now
        assertEquals("k", engine.flow().limits(now).get(1).keys().get(0).key());
    }

    @Test
    void aRateKeyNoTaskNamesIsForgottenOnceItsBucketIsFullAgain() {
        limits(rate("k:*", 1, 60 * SECOND, null));
        agent("w", 10, "t");
        submit(keyed("t", "k:1", 1, null));
        ClaimedTask spent = claimOne("w");
        engine.complete(spent.task().id(), spent.leaseId(), null, now);
        assertEquals(1, engine.flow().limits(now).get(0).keysInUse(), "its spent budget is kept while it refills");
        advance(60 * SECOND - 1);
        engine.tick(now);
        assertEquals(1, engine.flow().limits(now).get(0).keysInUse(), "not full yet");
        advance(1);
        engine.tick(now);
        LimitView view = engine.flow().limits(now).get(0);
        assertEquals(0, view.keysInUse(), "full again and no task names it: forgotten");
        assertTrue(view.keys().isEmpty());
        submit(keyed("t", "k:1", 1, null));
        claimOne("w"); // a new task of the key starts on a full bucket, as the forgotten one was
    }

    @Test
    void badKeysAndLimitsAreRefusedNamingTheFieldAndChangeNothing() {
        String tooLong = "k".repeat(Ids.MAX_ID_LENGTH + 1);
        assertEquals("rate_key", assertThrows(InvalidRequestException.class,
                () -> submit(keyed("t", "bad\u0001key", 1, null))).field());
        assertEquals("concurrency_key", assertThrows(InvalidRequestException.class,
                () -> submit(keyed("t", null, 1, tooLong))).field());
        assertEquals("cost", assertThrows(InvalidRequestException.class, () -> submit(keyed("t", "k", 0, null))).field());
        assertEquals("rate", assertThrows(InvalidRequestException.class,
                () -> engine.flow().setLimit(rate("k", -1, SECOND, null), now)).field());
        assertEquals("window", assertThrows(InvalidRequestException.class,
                () -> engine.flow().setLimit(rate("k", 1, -5, null), now)).field());
        assertEquals("burst", assertThrows(InvalidRequestException.class,
                () -> engine.flow().setLimit(rate("k", 1, SECOND, 0L), now)).field());
        assertEquals("max_running", assertThrows(InvalidRequestException.class,
                () -> engine.flow().setLimit(cap("k", 0), now)).field());
        assertEquals("key", assertThrows(InvalidRequestException.class,
                () -> engine.flow().setLimit(cap(tooLong, 1), now)).field());
        assertTrue(engine.flow().limits(now).isEmpty());
        assertTrue(events.isEmpty());
    }
}
