package dev.baton.store;

import dev.baton.engine.TaskStatus;

/**
 * Every Redis key Baton uses, from one prefix (docs/redis.md). The default prefix {@code {baton}:}
 * is a Cluster hash tag, so all keys of one Baton share a slot and MULTI/EXEC works on a Cluster.
 */
public record RedisKeys(String prefix) {

    /** Stream: batches of engine events, entry id = the last seq of the batch. */
    public String journal() {
        return prefix + "journal";
    }

    /** Hash: live task id → task record JSON. */
    public String tasks() {
        return prefix + "tasks";
    }

    /**
     * Stream: the tasks hash's image, written whole at a clean stop with a large state: the live
     * tasks' records in id order, a JSON array of them per entry. The tasks hash then holds only
     * what changed since, and an empty value there for a task that left the image (docs/redis.md).
     */
    public String image() {
        return prefix + "tasks:image";
    }

    /** The image being written, renamed over {@link #image} once whole. */
    public String imageBuilding() {
        return prefix + "tasks:image:building";
    }

    /** String with a TTL: a finished task's record, readable for the retention. */
    public String finished(String taskId) {
        return prefix + "task:" + taskId;
    }

    /**
     * Stream: the ids of tasks that ended in {@code status} (COMPLETED, FAILED or CANCELLED), one
     * entry per checkpoint chunk (field {@code i}, the ids separated by spaces), its id the time it
     * was written; trimmed to the retention, written with their finished records. A task retried
     * since may still be listed under its old status: its record says what it is.
     */
    public String endedIndex(TaskStatus status) {
        return prefix + "ended:" + status.name();
    }

    /**
     * Sorted set: the same ids, scored by when they ended, as Batons before {@link #endedIndex}
     * wrote them: still read, and emptied as they pass the retention.
     */
    public String finishedIndex(TaskStatus status) {
        return prefix + "finished:" + status.name();
    }

    /** Hash: agent id → agent record JSON (with history). */
    public String agents() {
        return prefix + "agents";
    }

    /**
     * Hash: ring slot of a minute ({@code 0..1439}) → the analytics' figures of that minute, the
     * minutes that changed written with each checkpoint.
     */
    public String analytics() {
        return prefix + "analytics:minutes";
    }

    /** String: the analytics' 24 hours as one text, as a Baton before the minute hash wrote them; read once, then deleted. */
    public String legacyAnalytics() {
        return prefix + "analytics";
    }

    /** Hash: task type → its runtime settings JSON ({@code PUT /v1/types/{type}}). */
    public String types() {
        return prefix + "types";
    }

    /** Hash: webhook delivery id → a pending delivery (written with the task's end, removed when acknowledged). */
    public String webhooks() {
        return prefix + "webhooks";
    }

    /** Hash: schedule id → its record JSON, with the last tick passed ({@code /v1/schedules}). */
    public String schedules() {
        return prefix + "schedules";
    }

    /** Hash: key or key pattern → its runtime limit JSON ({@code PUT /v1/limits/{key}}). */
    public String limits() {
        return prefix + "limits";
    }

    /** String: the seq up to which the hashes are complete. */
    public String checkpoint() {
        return prefix + "checkpoint";
    }

    /** String: the id of the journal entry appended last; a Redis that lost entries holds an older one. */
    public String journalTop() {
        return prefix + "journal:top";
    }

    /**
     * String: the writer epoch, an integer that grows each time a Baton takes the writer lease;
     * every write checks it (the fence). Missing or older later means Redis lost data.
     */
    public String epoch() {
        return prefix + "epoch";
    }

    /** String with a short TTL: the instance that may write the journal. */
    public String writer() {
        return prefix + "writer";
    }
}
