package dev.baton.client;

import java.util.List;

/** One page of {@code GET /v1/tasks}; {@code nextAfter} is null on the last page. */
public record Page(List<Task> tasks, String nextAfter) {
}
