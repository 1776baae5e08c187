package dev.baton.engine;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adaptive running cap ({@link AdaptiveLimit}) of a type, and of each concurrency key a limit
 * pattern governs, on the fake clock: it follows how runs end.
 */
class AdaptiveConcurrencyTest extends EngineHarness {

    private static final String TYPE = "llm";
    private final List<ClaimedTask> running = new ArrayList<>();
    /** The lowest cap in effect seen, and the highest. */
    private int lowest = Integer.MAX_VALUE;
    private int highest;

    @BeforeEach
    void workers() {
        configure(new TypePolicy(null, null, new AdaptiveSettings(2, 20, null)));
    }

    private void configure(TypePolicy policy) {
        newEngine(EngineConfig.defaults().withTypes(Map.of(TYPE, policy)));
        agent("w", 100, TYPE);
        for (int i = 0; i < 1_000; i++) {
            submit(TaskSpec.of(TYPE, Priority.MEDIUM).withMaxRetries(0));
        }
    }

    private TypeView view() {
        return engine.flow().type(TYPE, now);
    }

    /** The cap in effect: the lower of max_running and the adaptive cap. */
    private static int cap(TypeView v) {
        int adaptive = v.adaptive() == null ? Integer.MAX_VALUE : v.adaptive().limit();
        return v.maxRunning() == null ? adaptive : Math.min(adaptive, v.maxRunning());
    }

    private int limit() {
        return view().adaptive().limit();
    }

    /** Claim what the cap lets out; a claim never takes the type past the cap in effect. */
    private void claimAll() {
        TypeView before = view();
        List<ClaimedTask> got = engine.claim("w", 100, now);
        int cap = cap(before);
        lowest = Math.min(lowest, cap);
        highest = Math.max(highest, cap);
        assertTrue(got.isEmpty() || before.running() + got.size() <= cap,
                before.running() + " running + " + got.size() + " claimed over the cap " + cap);
        assertEquals(before.running() + got.size(), view().running());
        running.addAll(got);
    }

    /** Every run in flight ends after {@code millis}, one by one, and claims follow each end. */
    private void step(long millis, boolean fail) {
        endAll(millis, c -> fail, this::claimAll);
    }

    /** Every run in flight (claimed by {@code claim} if none) ends after {@code millis}, one by one, failing as told; {@code claim} follows each end. */
    private void endAll(long millis, java.util.function.Predicate<ClaimedTask> fails, Runnable claim) {
        if (running.isEmpty()) {
            claim.run();
        }
        List<ClaimedTask> ending = new ArrayList<>(running);
        running.clear();
        now += millis;
        for (ClaimedTask c : ending) {
            if (fails.test(c)) {
                engine.fail(c.task().id(), c.leaseId(), "503 from the server", false, now);
            } else {
                engine.complete(c.task().id(), c.leaseId(), null, now);
            }
            claim.run();
        }
    }

    private List<TaskEvent> limitEvents() {
        return events.stream().filter(e -> e.type() == EventType.TYPE_LIMIT_CHANGED).toList();
    }

    @Test
    void itStartsAtTheCeiling() {
        AdaptiveView adaptive = view().adaptive();
        assertEquals(new AdaptiveView(2, 20, null, 20, "started at the ceiling", null, null), adaptive);
        claimAll();
        assertEquals(20, view().running());
        assertEquals(Map.of(TYPE, 20), engine.stats(now).typeCaps());
    }

    @Test
    void failingRunsLowerItToTheFloorAndNeverBelow() {
        for (int i = 0; i < 30; i++) {
            step(1_000, true);
            assertTrue(limit() >= 2, "never below the floor");
        }
        assertEquals(2, limit());
        assertEquals(2, lowest);
        AdaptiveView adaptive = view().adaptive();
        assertEquals("3 of the last 3 runs failed", adaptive.reason());
        assertTrue(adaptive.changedAt() > T0);
        // 20 → 15 → 11 → 8 → 6 → 4 → 3 → 2: one event per move of the whole cap, each once
        List<String> messages = limitEvents().stream().map(TaskEvent::message).toList();
        assertEquals(List.of(15, 11, 8, 6, 4, 3, 2), messages.stream()
                .map(m -> Integer.parseInt(m.substring("limit ".length(), m.indexOf(':')))).toList(), messages.toString());
        assertEquals("limit 15: 3 of the last 3 runs failed", messages.get(0));
        assertEquals(TYPE, limitEvents().get(0).taskType());
    }

    @Test
    void aBurstOfFailuresLowersItOnce() {
        claimAll();
        assertEquals(20, running.size());
        now += 1_000;
        for (ClaimedTask c : running) {
            engine.fail(c.task().id(), c.leaseId(), "500", false, now);
        }
        running.clear();
        assertEquals(15, limit(), "the runs started before the decrease do not lower it again");
        assertEquals(1, limitEvents().size());
    }

    @Test
    void healthyRunsRaiseItBackToTheCeilingAndNoFurther() {
        for (int i = 0; i < 30; i++) {
            step(1_000, true);
        }
        assertEquals(2, limit());
        int eventsBefore = limitEvents().size();
        for (int i = 0; i < 40; i++) {
            step(1_000, false);
            assertTrue(limit() <= 20, "never above the ceiling");
        }
        assertEquals(20, limit());
        assertEquals(20, highest);
        assertTrue(view().adaptive().reason().startsWith("runs healthy: "), view().adaptive().reason());
        List<TaskEvent> rises = limitEvents().subList(eventsBefore, limitEvents().size());
        assertEquals(18, rises.size(), "one event per step of the whole cap, 3 to 20");
        assertEquals("limit 20: runs healthy: none of the last 10 runs failed or ran slow", rises.get(17).message());
    }

    @Test
    void slowRunsLowerItAgainstTheLearnedBaseline() {
        for (int i = 0; i < 3; i++) {
            step(1_000, false);
        }
        assertEquals(20, limit());
        assertEquals(1_000.0, view().adaptive().baselineMillis(), 0.001);
        step(2_500, false);
        assertEquals(15, limit());
        assertEquals("run time 2.5 s over 2× the 1.0 s baseline; 3 of the last 10 runs ran slow", view().adaptive().reason());
        for (int i = 0; i < 10; i++) {
            step(30_000 - 1, false);
        }
        assertTrue(limit() < 15 && limit() >= 2, "slow runs keep lowering it: " + limit());
    }

    @Test
    void slowRunsLowerItAgainstATargetRunTime() {
        configure(new TypePolicy(null, null, new AdaptiveSettings(1, 8, 500L)));
        step(400, false);
        assertEquals(8, limit());
        step(600, false);
        assertEquals(6, limit());
        assertEquals("run time 600 ms over the 500 ms target; 3 of the last 10 runs ran slow", view().adaptive().reason());
    }

    @Test
    void aFewFailuresAmongHealthyRunsDoNotLowerIt() {
        for (int i = 0; i < 20; i++) {
            claimAll();
            List<ClaimedTask> ending = new ArrayList<>(running);
            running.clear();
            now += 1_000;
            for (int j = 0; j < ending.size(); j++) {
                ClaimedTask c = ending.get(j);
                if (j == 7) {
                    engine.fail(c.task().id(), c.leaseId(), "bad input", false, now);
                } else {
                    engine.complete(c.task().id(), c.leaseId(), null, now);
                }
            }
        }
        assertEquals(20, limit());
        assertTrue(limitEvents().isEmpty());
    }

    @Test
    void expiredLeasesCountAsFailures() {
        claimAll();
        running.clear();
        advance(EngineConfig.defaults().leaseTtlMillis() + 1);
        assertEquals(15, limit());
        assertTrue(view().adaptive().reason().endsWith("runs failed"), view().adaptive().reason());
    }

    @Test
    void itIsEnforcedTogetherWithAFixedMaxRunning() {
        configure(new TypePolicy(4, null, new AdaptiveSettings(1, 10, null)));
        claimAll();
        assertEquals(4, view().running(), "the fixed cap is lower");
        assertEquals(10, limit());
        for (int i = 0; i < 10; i++) {
            step(1_000, true);
        }
        assertEquals(1, limit());
        assertEquals(1, view().running(), "the adaptive cap is lower now");
        assertEquals(1, lowest);
        assertEquals(4, highest);
        assertEquals(Map.of(TYPE, 1), engine.stats(now).typeCaps());
    }

    @Test
    void aRiseFeedsParkedClaims() {
        configure(new TypePolicy(null, null, new AdaptiveSettings(1, 3, null)));
        for (int i = 0; i < 20; i++) {
            step(1_000, true);
        }
        assertEquals(1, limit());
        step(1_000, false); // 1 → 2
        step(1_000, false); // 2 → 2.5 → 2.9
        assertEquals(2, limit());
        assertEquals(2, running.size());
        agent("x", 1, TYPE);
        agent("y", 1, TYPE);
        ClaimAttempt x = engine.claimOrWait("x", 1, now);
        ClaimAttempt y = engine.claimOrWait("y", 1, now);
        assertTrue(x.parked() && y.parked());
        now += 1_000;
        engine.complete(running.get(0).task().id(), running.get(0).leaseId(), null, now); // 2.9 + 0.34 → 3
        assertEquals(3, limit());
        assertTrue(x.pending().result().isDone() && y.pending().result().isDone(), "the freed slot and the rise both feed");
        assertEquals(3, view().running());
    }

    @Test
    void anIdleTypeDoesNotClimb() {
        for (int i = 0; i < 30; i++) {
            step(1_000, true);
        }
        for (ClaimedTask c : running) {
            engine.fail(c.task().id(), c.leaseId(), "500", false, now);
        }
        running.clear();
        assertEquals(2, limit());
        for (int i = 0; i < 50; i++) {
            List<ClaimedTask> one = engine.claim("w", 1, now);
            now += 100;
            engine.complete(one.get(0).task().id(), one.get(0).leaseId(), null, now);
        }
        assertEquals(3, limit(), "one run at a time uses half a cap of 2, not of 3: no evidence for more");
    }

    @Test
    void setAtRuntimeItKeepsWhereItGotToInsideNewBounds() {
        newEngine(EngineConfig.defaults());
        agent("w", 100, TYPE);
        for (int i = 0; i < 300; i++) {
            submit(TaskSpec.of(TYPE, Priority.MEDIUM).withMaxRetries(0));
        }
        TypeUpdate update = engine.flow().setType(new TypeSettings(TYPE, false, null, null, null,
                new AdaptiveSettings(1, 20, null)), now);
        assertEquals(20, update.type().adaptive().limit());
        assertEquals("running, adaptive=1..20", events.get(events.size() - 1).message());
        step(1_000, true);
        step(1_000, true);
        assertEquals(11, limit());
        engine.flow().setType(new TypeSettings(TYPE, false, null, null, null, new AdaptiveSettings(1, 20, 5_000L)), now);
        assertEquals(11, limit(), "a new target keeps the cap");
        engine.flow().setType(new TypeSettings(TYPE, false, null, null, null, new AdaptiveSettings(1, 8, null)), now);
        assertEquals(8, limit());
        assertEquals("moved inside the new bounds 1..8", view().adaptive().reason());
        engine.flow().setType(new TypeSettings(TYPE, false, null, null, null), now);
        assertNull(view().adaptive());
        assertEquals(Map.of(), engine.stats(now).typeCaps());
        for (ClaimedTask c : new ArrayList<>(running)) {
            engine.complete(c.task().id(), c.leaseId(), null, now);
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheFieldAndChangeNothing() {
        assertEquals("adaptive.min", refused(new AdaptiveSettings(0, 5, null)));
        assertEquals("adaptive.max", refused(new AdaptiveSettings(5, 4, null)));
        assertEquals("adaptive.max", refused(new AdaptiveSettings(1, AdaptiveSettings.MAX_CEILING + 1, null)));
        assertEquals("adaptive.target_run_time", refused(new AdaptiveSettings(1, 5, 0L)));
        assertEquals(new AdaptiveView(2, 20, null, 20, "started at the ceiling", null, null), view().adaptive());
        assertNull(view().changed());
    }

    private String refused(AdaptiveSettings adaptive) {
        return assertThrows(InvalidRequestException.class, () -> engine.flow()
                .setType(new TypeSettings(TYPE, false, null, null, null, adaptive), now)).field();
    }

    @Test
    void aRestoredEngineKeepsTheSettingAndStartsAgainAtTheCeiling() {
        newEngine(EngineConfig.defaults());
        agent("w", 100, TYPE);
        engine.flow().setType(new TypeSettings(TYPE, false, null, null, null, new AdaptiveSettings(1, 6, null)), now);
        for (int i = 0; i < 100; i++) {
            submit(TaskSpec.of(TYPE, Priority.MEDIUM).withMaxRetries(0));
        }
        step(1_000, true);
        assertEquals(4, limit());
        Coordinator copy = new Coordinator(EngineConfig.defaults(), e -> { }, new SplittableRandom(1));
        copy.restore(engine.state(), now);
        assertEquals(new AdaptiveSettings(1, 6, null), copy.flow().typeSettings().get(0).adaptive());
        assertEquals(6, copy.flow().type(TYPE, now).adaptive().limit());
        for (ClaimedTask c : new ArrayList<>(running)) {
            engine.complete(c.task().id(), c.leaseId(), null, now);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Per concurrency key

    private static final String API = "api";

    /** A fresh engine whose key limits are {@code limits}, an agent with 200 slots and {@code perKey} tasks of each key. */
    private void keyed(int perKey, List<String> keys, LimitSettings... limits) {
        Map<String, LimitSettings> byKey = new HashMap<>();
        for (LimitSettings limit : limits) {
            byKey.put(limit.key(), limit);
        }
        newEngine(EngineConfig.defaults().withLimits(byKey));
        agent("w", 200, API);
        for (int i = 0; i < perKey; i++) {
            for (String key : keys) {
                submitKeyed(key);
            }
        }
    }

    private void submitKeyed(String key) {
        submit(TaskSpec.of(API, Priority.MEDIUM).withKeys(null, 1, key).withMaxRetries(0));
    }

    /** The concurrency keys in use, by key. */
    private Map<String, LimitView.KeyUse> keyUses() {
        Map<String, LimitView.KeyUse> uses = new HashMap<>();
        for (LimitView limit : engine.flow().limits(now)) {
            for (LimitView.KeyUse use : limit.keys()) {
                if (use.kind().equals("concurrency")) {
                    uses.put(use.key(), use);
                }
            }
        }
        return uses;
    }

    private int keyLimit(String key) {
        return keyUses().get(key).adaptive().limit();
    }

    /** Claim what the keys' caps let out; a claim never takes a key past its cap in effect (fixed and adaptive). */
    private void claimKeyed() {
        Map<String, LimitView.KeyUse> before = keyUses();
        Map<String, Integer> fixed = new HashMap<>();
        for (LimitView limit : engine.flow().limits(now)) {
            for (LimitView.KeyUse use : limit.keys()) {
                fixed.put(use.key(), limit.limit().maxRunning());
            }
        }
        List<ClaimedTask> got = engine.claim("w", 200, now);
        Map<String, Integer> claimed = new HashMap<>();
        got.forEach(c -> claimed.merge(c.task().concurrencyKey(), 1, Integer::sum));
        claimed.forEach((key, n) -> {
            LimitView.KeyUse use = before.get(key);
            int cap = use.adaptive() == null ? Integer.MAX_VALUE : use.adaptive().limit();
            cap = fixed.get(key) == null ? cap : Math.min(cap, fixed.get(key));
            lowest = Math.min(lowest, cap);
            highest = Math.max(highest, cap);
            assertTrue(use.running() + n <= cap, key + ": " + use.running() + " running + " + n + " claimed over the cap " + cap);
        });
        running.addAll(got);
    }

    /** Every run in flight ends after {@code millis}, one by one, failing those of {@code failing} keys; claims follow each end. */
    private void stepKeyed(long millis, Set<String> failing) {
        endAll(millis, c -> failing.contains(c.task().concurrencyKey()), this::claimKeyed);
    }

    private List<String> keyLimitMessages() {
        return events.stream().filter(e -> e.type() == EventType.LIMIT_CHANGED).map(TaskEvent::message).toList();
    }

    private static LimitSettings adaptiveKeys(String pattern, Integer maxRunning, AdaptiveSettings adaptive) {
        return new LimitSettings(pattern, null, null, null, maxRunning, adaptive);
    }

    @Test
    void aKeysCapFallsUnderItsOwnFailuresAndTheOtherKeysKeepTheirs() {
        keyed(300, List.of("tenant:a", "tenant:b"), adaptiveKeys("tenant:*", null, new AdaptiveSettings(1, 10, null)));
        assertEquals(new AdaptiveView(1, 10, null, 10, "started at the ceiling", null, null), keyUses().get("tenant:a").adaptive());
        claimKeyed();
        assertEquals(20, running.size(), "each key starts at its ceiling");
        for (int i = 0; i < 20; i++) {
            stepKeyed(1_000, Set.of("tenant:a"));
            assertTrue(keyLimit("tenant:a") >= 1, "never below the floor");
        }
        assertEquals(1, keyLimit("tenant:a"));
        assertEquals(10, keyLimit("tenant:b"), "tenant:b's runs are healthy: its cap stays at the ceiling");
        assertEquals(1, lowest);
        assertEquals(1, keyUses().get("tenant:a").running());
        assertEquals(10, keyUses().get("tenant:b").running());
        assertEquals("3 of the last 3 runs failed", keyUses().get("tenant:a").adaptive().reason());
        // 10 → 7 → 5 → 4 → 3 → 2 → 1: one limit.changed per move of the whole cap, naming the key
        List<String> messages = keyLimitMessages();
        assertEquals(6, messages.size(), messages.toString());
        assertEquals("tenant:a: limit 7: 3 of the last 3 runs failed", messages.get(0));
        assertEquals("tenant:a: limit 1: 3 of the last 3 runs failed", messages.get(5));
        assertTrue(events.stream().noneMatch(e -> e.type() == EventType.TYPE_LIMIT_CHANGED), "the type has no adaptive cap");
        assertEquals(Map.of("tenant:a", 1, "tenant:b", 10), engine.stats(now).keyCaps());
    }

    @Test
    void aKeysCapRisesBackToTheCeilingAndNoFurther() {
        keyed(400, List.of("tenant:a", "tenant:b"), adaptiveKeys("tenant:*", null, new AdaptiveSettings(1, 10, null)));
        for (int i = 0; i < 20; i++) {
            stepKeyed(1_000, Set.of("tenant:a", "tenant:b"));
        }
        assertEquals(1, keyLimit("tenant:a"));
        assertEquals(1, keyLimit("tenant:b"));
        int before = keyLimitMessages().size();
        for (int i = 0; i < 40; i++) {
            stepKeyed(1_000, Set.of("tenant:b"));
            assertTrue(keyLimit("tenant:a") <= 10, "never above the ceiling");
        }
        assertEquals(10, keyLimit("tenant:a"));
        assertEquals(1, keyLimit("tenant:b"), "tenant:b still fails");
        assertEquals(10, highest);
        List<String> rises = keyLimitMessages().subList(before, keyLimitMessages().size());
        assertEquals(9, rises.size(), "one event per step of the whole cap, 1 to 10: " + rises);
        assertEquals("tenant:a: limit 10: runs healthy: none of the last 10 runs failed or ran slow", rises.get(8));
    }

    @Test
    void aKeysCapInEffectIsTheLowerOfItsMaxRunningAndItsAdaptiveCap() {
        keyed(200, List.of("tenant:a"), adaptiveKeys("tenant:*", 4, new AdaptiveSettings(1, 10, null)));
        claimKeyed();
        assertEquals(4, running.size(), "the fixed cap is lower");
        for (int i = 0; i < 10; i++) {
            stepKeyed(1_000, Set.of("tenant:a"));
        }
        assertEquals(1, keyLimit("tenant:a"));
        assertEquals(1, keyUses().get("tenant:a").running(), "the adaptive cap is lower now");
        assertEquals(4, highest);
        assertEquals(1, lowest);
        assertEquals(Map.of("tenant:a", 1), engine.stats(now).keyCaps());
    }

    @Test
    void aRiseOfAKeysCapFeedsParkedClaims() {
        keyed(100, List.of("tenant:a"), adaptiveKeys("tenant:a", null, new AdaptiveSettings(1, 3, null)));
        for (int i = 0; i < 20; i++) {
            stepKeyed(1_000, Set.of("tenant:a"));
        }
        assertEquals(1, keyLimit("tenant:a"));
        stepKeyed(1_000, Set.of()); // 1 → 2
        stepKeyed(1_000, Set.of()); // 2 → 2.5 → 2.9
        assertEquals(2, keyLimit("tenant:a"));
        assertEquals(2, running.size());
        agent("x", 1, API);
        agent("y", 1, API);
        ClaimAttempt x = engine.claimOrWait("x", 1, now);
        ClaimAttempt y = engine.claimOrWait("y", 1, now);
        assertTrue(x.parked() && y.parked(), "the key is at its cap");
        now += 1_000;
        engine.complete(running.get(0).task().id(), running.get(0).leaseId(), null, now); // 2.9 + 0.34 → 3
        assertEquals(3, keyLimit("tenant:a"));
        assertTrue(x.pending().result().isDone() && y.pending().result().isDone(), "the freed slot and the rise both feed");
        assertEquals(3, keyUses().get("tenant:a").running());
    }

    @Test
    void aKeyWithNothingLiveForgetsItsCapAndStartsAgainAtTheCeiling() {
        keyed(30, List.of("tenant:a"), adaptiveKeys("tenant:*", null, new AdaptiveSettings(1, 10, null)));
        stepKeyed(1_000, Set.of("tenant:a"));
        assertEquals(7, keyLimit("tenant:a"));
        while (!running.isEmpty()) {
            stepKeyed(1_000, Set.of());
        }
        assertTrue(keyUses().isEmpty(), "no live task names the key: its state is gone");
        assertEquals(Map.of(), engine.stats(now).keyCaps(), "and its gauge with it");
        submitKeyed("tenant:a");
        assertEquals(10, keyLimit("tenant:a"));
    }

    @Test
    void aKeysAdaptiveCapSetAtRuntimeKeepsWhereItGotToAndBadSettingsChangeNothing() {
        keyed(200, List.of("tenant:a"));
        LimitUpdate update = engine.flow().setLimit(adaptiveKeys("tenant:*", null, new AdaptiveSettings(1, 20, null)), now);
        assertEquals(new AdaptiveSettings(1, 20, null), update.limit().limit().adaptive());
        assertEquals(20, update.limit().keys().get(0).adaptive().limit());
        assertEquals("tenant:*: adaptive=1..20", events.get(events.size() - 1).message());
        stepKeyed(1_000, Set.of("tenant:a"));
        stepKeyed(1_000, Set.of("tenant:a"));
        assertEquals(11, keyLimit("tenant:a"));
        engine.flow().setLimit(adaptiveKeys("tenant:*", 5, new AdaptiveSettings(1, 20, 5_000L)), now);
        assertEquals(11, keyLimit("tenant:a"), "a new target keeps the cap");
        engine.flow().setLimit(adaptiveKeys("tenant:*", null, new AdaptiveSettings(1, 8, null)), now);
        assertEquals(8, keyLimit("tenant:a"));
        assertEquals("moved inside the new bounds 1..8", keyUses().get("tenant:a").adaptive().reason());

        LimitSettings before = engine.flow().limitSettings().get(0);
        int seq = events.size();
        assertEquals("adaptive.min", refusedLimit(new AdaptiveSettings(0, 5, null)));
        assertEquals("adaptive.max", refusedLimit(new AdaptiveSettings(5, 4, null)));
        assertEquals("adaptive.target_run_time", refusedLimit(new AdaptiveSettings(1, 5, 0L)));
        assertEquals(List.of(before), engine.flow().limitSettings());
        assertEquals(8, keyLimit("tenant:a"));
        assertEquals(seq, events.size(), "no event");

        engine.flow().removeLimit("tenant:*", now);
        assertTrue(keyUses().isEmpty(), "no limit governs the key");
        assertEquals(Map.of(), engine.stats(now).keyCaps());
        for (ClaimedTask c : new ArrayList<>(running)) {
            engine.complete(c.task().id(), c.leaseId(), null, now);
        }
    }

    private String refusedLimit(AdaptiveSettings adaptive) {
        return assertThrows(InvalidRequestException.class, () -> engine.flow()
                .setLimit(adaptiveKeys("tenant:*", null, adaptive), now)).field();
    }

    @Test
    void aRestoredEngineKeepsAKeysAdaptiveSettingAndItsKeysStartAgainAtTheCeiling() {
        keyed(100, List.of("tenant:a"));
        LimitSettings limit = adaptiveKeys("tenant:*", 9, new AdaptiveSettings(1, 6, 30_000L));
        engine.flow().setLimit(limit, now);
        stepKeyed(1_000, Set.of("tenant:a"));
        assertEquals(4, keyLimit("tenant:a"));
        Coordinator copy = new Coordinator(EngineConfig.defaults(), e -> { }, new SplittableRandom(1));
        copy.restore(engine.state(), now);
        assertEquals(List.of(limit), copy.flow().limitSettings());
        LimitView.KeyUse use = copy.flow().limits(now).get(0).keys().get(0);
        assertEquals(6, use.adaptive().limit());
        for (ClaimedTask c : new ArrayList<>(running)) {
            engine.complete(c.task().id(), c.leaseId(), null, now);
        }
    }
}
