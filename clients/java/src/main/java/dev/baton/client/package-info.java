/**
 * Baton's Java client. {@link dev.baton.client.BatonClient} makes every call of the HTTP API (tasks,
 * batches, agents, claims, leases, stats, {@code waitFor}, event streams that resume with
 * {@code Last-Event-ID}); {@link dev.baton.client.Worker} runs an agent's loop with
 * {@link dev.baton.client.TaskHandler}s typed on your records. Answers are records ({@link
 * dev.baton.client.Task}, {@link dev.baton.client.Agent}, {@link dev.baton.client.ClaimedTask}, {@link
 * dev.baton.client.Page}, ...); error answers are {@link dev.baton.client.BatonException}s.
 */
package dev.baton.client;
