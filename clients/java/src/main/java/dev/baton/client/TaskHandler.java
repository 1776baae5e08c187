package dev.baton.client;

/**
 * Runs one task type for a {@link Worker}: the payload comes in as {@code I} (read by Jackson, e.g. a
 * record), the return value is the task's result (written by Jackson; null for none). Throwing fails
 * the task: retryable, unless it is a {@link NonRetryableException}.
 */
@FunctionalInterface
public interface TaskHandler<I, O> {

    O handle(I input, TaskContext context) throws Exception;
}
