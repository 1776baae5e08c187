package dev.baton.client;

import static dev.baton.client.BatonServer.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** {@link Worker#run()} in a JVM of its own, stopped with SIGTERM in the middle of its runs. */
class WorkerSigtermTest {

    record Sleep(long millis) {
    }

    /**
     * The agent process: three slots, a grace period of three seconds (its JVM is cold: on a loaded
     * machine the short task's first run may take a second or more). Arguments: Baton's url, the task type.
     */
    public static final class Agent {
        public static void main(String[] args) throws InterruptedException {
            BatonClient baton = BatonClient.builder().url(args[0]).build();
            Worker.builder(baton, args[1] + "-agent").concurrency(3).claimWait(Duration.ofSeconds(2))
                    .grace(Duration.ofSeconds(3))
                    .handler(args[1], Sleep.class, (sleep, ctx) -> {
                        System.out.println("started " + ctx.taskId());
                        Thread.sleep(sleep.millis());
                        return "slept";
                    })
                    .build().run();
        }
    }

    @Test
    void sigtermDuringRunsLeavesNothingRunningAndLosesNothing() throws Exception {
        BatonServer server = BatonServer.shared();
        BatonClient client = server.client();
        String kind = unique("sigterm");
        List<String> ids = new ArrayList<>();
        for (long millis : new long[] {200, 30_000, 30_000, 30_000}) {
            ids.add(client.submit(NewTask.of(kind).payload(new Sleep(millis)).maxRetries(3)).id());
        }
        Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Agent.class.getName(), server.url, kind)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> started = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))
                .lines().filter(line -> line.startsWith("started ")).forEach(started::add));
        reader.setDaemon(true);
        reader.start();
        try {
            // SIGTERM once the handlers run (not merely once Baton has assigned the tasks: a claim cut
            // before its answer arrives hands its tasks back, and the short one would not complete)
            await().atMost(Duration.ofSeconds(30)).until(() -> started.size() >= 3);
            agent.destroy(); // SIGTERM
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "the agent stops within its grace period and a little more");
        } finally {
            agent.destroyForcibly();
        }
        Map<String, Task> tasks = client.tasks(TaskQuery.all().type(kind)).collect(Collectors.toMap(Task::id, t -> t));
        assertEquals(ids.stream().sorted().toList(), tasks.keySet().stream().sorted().toList(), "none lost");
        assertEquals(List.of(), tasks.values().stream().filter(t -> t.status().isRunning()).toList());
        assertEquals(TaskStatus.COMPLETED, tasks.get(ids.get(0)).status(), () -> "the short task: " + tasks.get(ids.get(0)));
        for (String id : ids.subList(1, ids.size())) {
            TaskStatus status = tasks.get(id).status();
            assertTrue(status == TaskStatus.PENDING || status == TaskStatus.SCHEDULED, id + " " + status);
        }
    }
}
