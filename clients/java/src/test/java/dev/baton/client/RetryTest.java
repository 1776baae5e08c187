package dev.baton.client;

import static dev.baton.client.BatonServer.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Calls safe to repeat are retried on 503, honouring Retry-After, and succeed once Redis is back. */
class RetryTest {

    @Test
    void aSubmitWithAnIdIsRetriedWhileRedisIsPausedAndSucceedsOnceItIsBack() throws Exception {
        BatonServer server = BatonServer.shared();
        BatonClient client = server.client(); // retry budget 15 s; the server's ack-timeout is 2 s
        List<ProcessHandle> redis = server.redis();
        assertFalse(redis.isEmpty(), "the embedded Redis runs under Baton");
        String id = unique("t");
        Task task;
        BatonServer.signal(redis, "STOP");
        try {
            long before = client.requests();
            // Redis comes back once the first attempt has been refused with 503.
            CompletableFuture<Task> submitted = CompletableFuture.supplyAsync(
                    () -> client.submit(NewTask.of(unique("pause")).id(id).payload(Map.of("x", 1))));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> client.requests() - before >= 2);
            BatonServer.signal(redis, "CONT");
            task = submitted.get(20, TimeUnit.SECONDS);
            assertTrue(client.requests() - before >= 2, "refused at least once, then accepted");
        } finally {
            BatonServer.signal(redis, "CONT");
        }
        assertEquals(id, task.id());
        assertEquals(TaskStatus.PENDING, client.get(id).status());
        client.cancel(id);
    }
}
