package dev.baton.engine;

/**
 * A page of the task list, in id order. Every filter may be null.
 *
 * @param after the last id of the previous page (exclusive cursor)
 */
public record TaskQuery(TaskStatus status, String type, String agent, int limit, String after) {
}
