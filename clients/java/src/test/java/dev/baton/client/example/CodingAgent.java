package dev.baton.client.example;

import dev.baton.client.BatonClient;
import dev.baton.client.NonRetryableException;
import dev.baton.client.Worker;

/** The ten-line Java agent of the READMEs, kept here so that it compiles. */
public class CodingAgent {

    record Job(String repo, int issue) {}

    record Pr(int number) {}

    public static void main(String[] args) throws InterruptedException {
        BatonClient baton = BatonClient.builder().url("http://127.0.0.1:8080").build();
        Worker.builder(baton, "coder-1").concurrency(2)
            .handler("coding", Job.class, (job, ctx) -> {     // the payload as a record; ctx.task(), ctx.attempt()
                ctx.progress(50, "tests pass");
                if (job.repo() == null) throw new NonRetryableException("no repo");  // FAILED at once
                return new Pr(42);                             // the result; any other exception is retried
            })
            .build().run();  // until SIGTERM: running tasks get a grace period, the rest fail retryable
    }
}
