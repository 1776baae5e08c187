package dev.baton.client;

import static dev.baton.client.BatonServer.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * One worker draining short tasks: at most two HTTP requests per task (claims carry several tasks,
 * no heartbeat for a task shorter than a third of its lease). Prints tasks/s, a figure of the machine
 * it runs on and its load, which is not asserted.
 */
class WorkerThroughputTest {

    private static final int TASKS = 500;
    private static final int CONCURRENCY = 16;

    @Test
    void shortTasksCostAtMostTwoRequestsEach() {
        BatonClient client = BatonServer.shared().client();
        String kind = unique("bench");
        for (int start = 0; start < TASKS; start += 500) {
            List<NewTask> batch = new ArrayList<>();
            for (int i = start; i < Math.min(TASKS, start + 500); i++) {
                batch.add(NewTask.of(kind).payload(Map.of("i", i)));
            }
            client.batch(batch);
        }
        BatonClient own = BatonServer.shared().client();
        try (Worker worker = Worker.builder(own, kind + "-agent").concurrency(CONCURRENCY).claimWait(Duration.ofSeconds(1))
                .handler(kind, Map.class, (in, ctx) -> Map.of("i", in.get("i"))).build()) {
            long began = System.nanoTime();
            worker.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> worker.completed() == TASKS);
            double seconds = (System.nanoTime() - began) / 1e9;
            double perTask = (double) own.requests() / TASKS;
            System.out.printf("[java-client] worker: tasks=%d concurrency=%d seconds=%.2f tasks_per_second=%.0f "
                    + "requests_per_task=%.2f heartbeats=%d%n", TASKS, CONCURRENCY, seconds, TASKS / seconds, perTask,
                    worker.heartbeats());
            // Heartbeats are not asserted here: on a loaded machine a complete may take longer than the
            // test server's 1 s heartbeat interval (WorkerTest asserts none for short tasks).
            assertTrue(perTask <= 2.0, "requests per task: " + perTask);
        }
    }
}
