package dev.baton.client;

/** The answer to complete or fail: the task, and whether the call repeated one already applied. */
public record Completion(Task task, boolean duplicate) {
}
