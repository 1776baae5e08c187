package dev.baton.bench;

import dev.baton.analytics.Analytics;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.Coordinator;
import dev.baton.engine.EventSink;
import dev.baton.engine.SubmitResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The engine alone, with {@link EngineFixture#QUEUED} tasks queued over 4 levels and 20 types
 * (see {@link EngineFixture}). Run it with {@link EngineBench}; it is not a unit test.
 *
 * <p>Every benchmark keeps the queue depth constant, so each measured call sees a million
 * queued tasks: {@link #claimCompleteCycle} resubmits what it completes, {@link #claim}
 * completes and resubmits outside the timed call, and {@link #submit} cancels what it added at
 * the end of each iteration (newest first, so each removal is at the tail of its deque).
 *
 * <p>Time is the real clock, as in the server, and a reaper thread ticks the coordinator every
 * 100 ms like the server's lease reaper, so the lock sees the same contention.
 *
 * <p>{@code -p recording=none,analytics} compares the engine without an event sink (the default)
 * with the analytics recording fed from it, as the server feeds it: the engine offers each event
 * to the analytics' queue under its lock, and the {@code baton-analytics} thread records them.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EngineBenchmark {

    @State(Scope.Benchmark)
    public static class Engine {

        /** What hears the engine's events: nothing, or the analytics recording on its own thread. */
        @Param({"none"})
        String recording;

        Coordinator engine;
        Analytics analytics;
        List<String> agents;
        ScheduledExecutorService reaper;
        long next = EngineFixture.QUEUED;
        int agentTurn;
        final List<String> submitted = new ArrayList<>();
        ClaimedTask claimed;

        @Setup(Level.Trial)
        public void fill() {
            long now = System.currentTimeMillis();
            EventSink sink = EventSink.NONE;
            if (recording.equals("analytics")) {
                analytics = new Analytics(new Analytics.Settings(65_536, 1_000), Clock.systemUTC(), new SimpleMeterRegistry());
                sink = analytics;
            }
            engine = EngineFixture.newCoordinator(EngineFixture.config(), sink);
            agents = EngineFixture.registerAgents(engine, now);
            EngineFixture.fill(engine, EngineFixture.QUEUED, now);
            if (analytics != null) {
                analytics.drain(); // the fill's events, recorded before the measured calls
                analytics.start();
            }
            reaper = EngineFixture.startReaper(engine);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            reaper.shutdown();
            reaper.awaitTermination(1, TimeUnit.SECONDS);
            if (analytics != null) {
                analytics.stop();
            }
        }

        /** Back to {@link EngineFixture#QUEUED} queued after the submit benchmark's iteration. */
        @TearDown(Level.Iteration)
        public void cancelSubmitted() {
            long now = System.currentTimeMillis();
            for (int i = submitted.size() - 1; i >= 0; i--) {
                engine.cancel(submitted.get(i), now);
            }
            submitted.clear();
        }

        String nextAgent() {
            String agent = agents.get(agentTurn);
            agentTurn = agentTurn + 1 == agents.size() ? 0 : agentTurn + 1;
            return agent;
        }
    }

    /** One submit into a million-deep queue. */
    @Benchmark
    public SubmitResult submit(Engine s) {
        SubmitResult result = s.engine.submit(EngineFixture.spec(s.next++), System.currentTimeMillis());
        s.submitted.add(result.task().id());
        return result;
    }

    /** Claim the best task for an agent, complete it, and submit a new one: a whole lifecycle. */
    @Benchmark
    public Object claimCompleteCycle(Engine s) {
        long now = System.currentTimeMillis();
        ClaimedTask task = s.engine.claim(s.nextAgent(), 1, now).get(0);
        s.engine.complete(task.task().id(), task.leaseId(), "{}", now);
        return s.engine.submit(EngineFixture.spec(s.next++), now);
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
            s.engine.complete(s.claimed.task().id(), s.claimed.leaseId(), "{}", now);
            s.engine.submit(EngineFixture.spec(s.next++), now);
        }
    }
}
