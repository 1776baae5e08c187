package dev.baton.bench;

import dev.baton.engine.AgentSpec;
import dev.baton.engine.BatchItem;
import dev.baton.engine.ClaimedTask;
import dev.baton.engine.Coordinator;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskSpec;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static dev.baton.bench.LoadBenchmark.goal;

/**
 * Dependencies in the engine alone, no HTTP, no Redis ({@link GraphBenchmark} is the same over
 * HTTP):
 * <ul>
 *   <li><b>fan-out</b>: {@code submitBatch} of 100,000 tasks (one root, 99,999 depending on it),
 *   then {@code complete} of the root, which releases the 99,999; timed over several rounds on a
 *   fresh coordinator each, the first one cold.</li>
 *   <li><b>fan-in</b>: 10,000 roots and one join; {@code complete} of the last root.</li>
 *   <li><b>heap per edge</b>: 1,000 roots and 99,000 dependents naming 0, 1, 4 or 16 of them;
 *   the heap retained after GC, and what each added edge costs over the row before (from d=0 to
 *   d=1 that includes the dependents' move from the ready deques to the waiting set).</li>
 * </ul>
 */
public final class EngineGraph {

    static final int FAN_OUT = 100_000;
    static final int FAN_IN = 10_000;
    static final int ROUNDS = 5;
    static final double ACCEPT_GOAL_MILLIS = 1_000;
    static final double RELEASE_GOAL_MILLIS = 200;
    static final int HEAP_ROOTS = 1_000;
    static final int HEAP_DEPENDENTS = 99_000;
    static final int[] HEAP_DEGREES = {0, 1, 4, 16};
    static final String AGENT = "graph-agent";

    private EngineGraph() {
    }

    public static void main(String[] args) {
        System.out.printf("engine graph: fan-out %,d, fan-in %,d; %d rounds each on a fresh coordinator (round 1 cold)%n",
                FAN_OUT, FAN_IN, ROUNDS);
        double[][] out = repeat(EngineGraph::fanOut);
        System.out.printf("  fan-out submitBatch(100,000)            %s ms%n", rounds(out[0]));
        System.out.printf("  fan-out complete(root) releasing 99,999 %s ms%n", rounds(out[1]));
        double acceptWarm = median(Arrays.copyOfRange(out[0], 1, ROUNDS));
        double releaseWarm = median(Arrays.copyOfRange(out[1], 1, ROUNDS));
        System.out.printf("  warm medians: accept %.1f ms%s; release %.1f ms%s%n",
                acceptWarm, goal(acceptWarm < ACCEPT_GOAL_MILLIS, "< 1 s"),
                releaseWarm, goal(releaseWarm < RELEASE_GOAL_MILLIS, "< 200 ms"));
        double[][] in = repeat(EngineGraph::fanIn);
        System.out.printf("  fan-in submitBatch(10,001)              %s ms%n", rounds(in[0]));
        System.out.printf("  fan-in complete(last root) -> join      %s ms%n", rounds(in[1]));
        heapPerEdge();
    }

    /** {@link #ROUNDS} runs of {@code run}: its accept times, then its release times. */
    private static double[][] repeat(Supplier<double[]> run) {
        double[][] times = new double[2][ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            double[] t = run.get();
            times[0][round] = t[0];
            times[1][round] = t[1];
        }
        return times;
    }

    /** Accept and release times of one fan-out on a fresh coordinator, in ms. */
    private static double[] fanOut() {
        long now = System.currentTimeMillis();
        Coordinator engine = newEngine(now);
        List<BatchItem> items = new ArrayList<>(FAN_OUT);
        items.add(new BatchItem("root", TaskSpec.of("root", Priority.MEDIUM)));
        List<String> onRoot = List.of("root");
        for (int i = 1; i < FAN_OUT; i++) {
            items.add(new BatchItem("d" + i, TaskSpec.of("leaf", Priority.MEDIUM).withDependsOn(onRoot)));
        }
        long t0 = System.nanoTime();
        engine.submitBatch(items, now);
        long t1 = System.nanoTime();
        ClaimedTask root = engine.claim(AGENT, 1, now).get(0);
        long t2 = System.nanoTime();
        engine.complete(root.task().id(), root.leaseId(), "{}", now);
        long t3 = System.nanoTime();
        expectPending(engine, FAN_OUT - 1, now);
        return new double[] {(t1 - t0) / 1e6, (t3 - t2) / 1e6};
    }

    /** Accept time of a fan-in and the time of the last root's complete, in ms. */
    private static double[] fanIn() {
        long now = System.currentTimeMillis();
        Coordinator engine = newEngine(now);
        List<BatchItem> items = new ArrayList<>(FAN_IN + 1);
        List<String> refs = new ArrayList<>(FAN_IN);
        for (int i = 0; i < FAN_IN; i++) {
            refs.add("r" + i);
            items.add(new BatchItem("r" + i, TaskSpec.of("root", Priority.MEDIUM)));
        }
        items.add(new BatchItem("join", TaskSpec.of("join", Priority.MEDIUM).withDependsOn(refs)));
        long t0 = System.nanoTime();
        engine.submitBatch(items, now);
        long t1 = System.nanoTime();
        List<ClaimedTask> claimed = new ArrayList<>(FAN_IN);
        while (claimed.size() < FAN_IN) {
            claimed.addAll(engine.claim(AGENT, 100, now));
        }
        for (int i = 0; i < FAN_IN - 1; i++) {
            engine.complete(claimed.get(i).task().id(), claimed.get(i).leaseId(), "{}", now);
        }
        ClaimedTask last = claimed.get(FAN_IN - 1);
        long t2 = System.nanoTime();
        engine.complete(last.task().id(), last.leaseId(), "{}", now);
        long t3 = System.nanoTime();
        expectPending(engine, 1, now);
        return new double[] {(t1 - t0) / 1e6, (t3 - t2) / 1e6};
    }

    private static Coordinator newEngine(long now) {
        Coordinator engine = EngineFixture.newCoordinator(EngineFixture.config(FAN_OUT));
        engine.registerAgent(new AgentSpec(AGENT, Set.of("root"), FAN_IN, Map.of()), now);
        return engine;
    }

    private static void expectPending(Coordinator engine, int expected, long now) {
        int pending = engine.stats(now).pending();
        if (pending != expected || engine.stats(now).waiting() != 0) {
            throw new IllegalStateException("expected " + expected + " pending and none waiting, found " + pending
                    + " pending, " + engine.stats(now).waiting() + " waiting");
        }
    }

    /** Heap retained by graphs of the same tasks with more and more edges; bytes per edge over the edgeless one. */
    private static void heapPerEdge() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf("  heap after GC, %,d roots + %,d dependents each naming d roots (waiting):%n",
                HEAP_ROOTS, HEAP_DEPENDENTS);
        long previous = -1;
        long previousEdges = 0;
        for (int degree : HEAP_DEGREES) {
            long before = EngineHeapFootprint.retainedHeap(memory);
            long now = System.currentTimeMillis();
            Coordinator engine = newEngine(now);
            engine.submitBatch(layered(degree), now);
            long retained = EngineHeapFootprint.retainedHeap(memory) - before;
            Reference.reachabilityFence(engine);
            long edges = (long) HEAP_DEPENDENTS * degree;
            System.out.printf("    d=%-2d %,10d edges %,7.1f MB  %s%n", degree, edges, retained / 1e6, previous < 0
                    ? String.format("(%,d bytes per task, none waiting)", retained / (HEAP_ROOTS + HEAP_DEPENDENTS))
                    : String.format("(+%,d bytes per added edge%s)", (retained - previous) / (edges - previousEdges),
                            previousEdges == 0 ? ", with the dependents now WAITING" : ""));
            previous = retained;
            previousEdges = edges;
        }
    }

    /** Roots {@code r0..}, then dependents each naming {@code degree} roots, spread evenly. */
    private static List<BatchItem> layered(int degree) {
        List<BatchItem> items = new ArrayList<>(HEAP_ROOTS + HEAP_DEPENDENTS);
        String[] refs = new String[HEAP_ROOTS];
        for (int i = 0; i < HEAP_ROOTS; i++) {
            refs[i] = "r" + i;
            items.add(new BatchItem(refs[i], TaskSpec.of("root", Priority.MEDIUM)));
        }
        for (int i = 0; i < HEAP_DEPENDENTS; i++) {
            List<String> parents = new ArrayList<>(degree);
            for (int k = 0; k < degree; k++) {
                parents.add(refs[(i + k * (HEAP_ROOTS / Math.max(1, degree))) % HEAP_ROOTS]);
            }
            items.add(new BatchItem(null, TaskSpec.of("leaf", Priority.MEDIUM).withDependsOn(parents)));
        }
        return items;
    }

    private static String rounds(double[] millis) {
        StringBuilder text = new StringBuilder();
        for (double m : millis) {
            text.append(String.format("%8.1f", m));
        }
        return text.toString();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
