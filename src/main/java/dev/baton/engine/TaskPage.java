package dev.baton.engine;

import java.util.List;

/** @param nextAfter the cursor for the next page, or null when this page is the last */
public record TaskPage(List<TaskView> tasks, String nextAfter) {
}
