package dev.baton.bench;

import dev.baton.engine.ClaimedTask;
import dev.baton.engine.ConflictException;
import dev.baton.engine.Coordinator;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.TaskSpec;
import dev.baton.engine.TaskView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The claim of {@link EngineBenchmark} with {@link EngineFixture#QUEUED} queued tasks spread over
 * {@code keys} rate keys and as many concurrency keys, each under a limit ({@code rate:*}: a
 * token bucket per key; {@code tenant:*}: a running cap per key, so every deque hands out
 * round-robin over its keys' lanes), against the same without keys ({@code keys = 0}). The limits
 * are wide enough not to hold tasks back: what is measured is the bookkeeping every claim pays.
 * Run it with {@code EngineBench KeyedEngineBenchmark}.
 *
 * <p>The claimed task is replaced by one of the same level, type and keys (outside the timed
 * call), so the queue keeps its make-up whatever the machine's speed: every key keeps its hundred
 * or so queued tasks and the claims keep taking the top level. (Resubmitting round-robin over the
 * levels instead would drain the upper levels within the trial, at a point that depends on the
 * speed, after which their keys hold one task at a time and are made and dropped per task.) The
 * replacement is built the same way with and without keys, reusing the claimed task's key strings,
 * so both harnesses allocate the same.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KeyedEngineBenchmark {

    @State(Scope.Benchmark)
    public static class Engine {

        @Param({"0", "10000"})
        int keys;

        Coordinator engine;
        List<String> agents;
        long next = EngineFixture.QUEUED;
        int agentTurn;
        ClaimedTask claimed;
        ScheduledExecutorService reaper;

        @Setup(Level.Trial)
        public void fill() {
            long now = System.currentTimeMillis();
            engine = EngineFixture.newCoordinator(EngineFixture.config().withLimits(Map.of(
                    "rate:*", new LimitSettings("rate:*", LimitSettings.MAX_RATE, 1_000L, null, null),
                    "tenant:*", new LimitSettings("tenant:*", null, null, null, 1_000))));
            agents = EngineFixture.registerAgents(engine, now);
            for (int i = 0; i < EngineFixture.QUEUED; i++) {
                engine.submit(spec(i), now);
            }
            // as in EngineBenchmark: the completed tasks' lease timers fall due and leave, as on a server
            reaper = EngineFixture.startReaper(engine);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            reaper.shutdown();
            reaper.awaitTermination(1, TimeUnit.SECONDS);
        }

        TaskSpec spec(long n) {
            TaskSpec plain = EngineFixture.spec(n);
            return keys == 0 ? plain : plain.withKeys("rate:" + (n * 7 % keys), 1, "tenant:" + (n % keys));
        }

        /** A new task in the claimed one's place: same level, type and keys, a payload of its own. */
        TaskSpec replacement(TaskView claimed) {
            return new TaskSpec(null, claimed.type(), null, claimed.priority(), EngineFixture.payload(next++), List.of(),
                    null, null, false, claimed.rateKey(), claimed.cost(), claimed.concurrencyKey());
        }

        String nextAgent() {
            String agent = agents.get(agentTurn);
            agentTurn = agentTurn + 1 == agents.size() ? 0 : agentTurn + 1;
            return agent;
        }
    }

    /** The claim alone; its complete and the resubmit happen outside the timed call. */
    @Benchmark
    public ClaimedTask claim(ClaimState c) {
        Engine s = c.engine;
        s.claimed = s.engine.claim(s.nextAgent(), 1, System.currentTimeMillis()).get(0);
        return s.claimed;
    }

    @State(Scope.Thread)
    public static class ClaimState {

        Engine engine;

        @Setup(Level.Trial)
        public void bind(Engine shared) {
            engine = shared;
        }

        @TearDown(Level.Invocation)
        public void completeAndRefill() {
            Engine s = engine;
            long now = System.currentTimeMillis();
            try {
                s.engine.complete(s.claimed.task().id(), s.claimed.leaseId(), "{}", now);
            } catch (ConflictException lapsed) {
                return; // the 1 s lease ran out in a stall of a loaded machine: the task is queued again
            }
            s.engine.submit(s.replacement(s.claimed.task()), now);
        }
    }
}
