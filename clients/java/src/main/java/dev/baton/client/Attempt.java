package dev.baton.client;

import java.time.Instant;

/**
 * One run of a task ({@link Task#attempts()}): who ran it, from when to when, and how it ended.
 *
 * @param attempt  1 for the first run
 * @param endedAt  null while it runs
 * @param outcome  {@code completed}, {@code failed}, {@code expired}, {@code cancelled} or {@code released}; null while it runs
 * @param error    the agent's error (failed) or why the lease ended (expired); null otherwise
 */
public record Attempt(int attempt, String agent, Instant startedAt, Instant endedAt, String outcome, String error) {
}
