package dev.baton.store;

import dev.baton.engine.EventSink;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the engine's events enter the store, under the engine's lock: each task's latest record is
 * kept for the next checkpoint ({@link #drain}), and in journal mode the event is queued for the
 * journal. Both are O(1) and never block.
 */
public final class StoreSink implements EventSink {

    private final Object lock = new Object();
    private Map<String, TaskRecord> dirty = new HashMap<>();
    private boolean agentsDirty;
    private long lastSeq;
    private volatile Journal journal;

    /** What changed since the last drain, up to {@code seq}. */
    record Changes(Map<String, TaskRecord> tasks, boolean agents, long seq) {
        boolean isEmpty() {
            return tasks.isEmpty() && !agents;
        }
    }

    void journalTo(Journal target) {
        this.journal = target;
    }

    @Override
    public void accept(TaskEvent event) {
        synchronized (lock) {
            if (event.task() != null) {
                dirty.put(event.taskId(), event.task());
            } else {
                agentsDirty = true;
            }
            lastSeq = event.seq();
        }
        Journal target = journal;
        if (target != null) {
            target.append(event);
        }
    }

    Changes drain() {
        synchronized (lock) {
            Changes changes = new Changes(dirty, agentsDirty, lastSeq);
            dirty = new HashMap<>();
            agentsDirty = false;
            return changes;
        }
    }

    /** A checkpoint failed: its changes go back, unless newer ones came meanwhile. */
    void putBack(Changes changes) {
        synchronized (lock) {
            changes.tasks().forEach(dirty::putIfAbsent);
            agentsDirty |= changes.agents();
        }
    }

    /** Mark records dirty after recovery, so the next checkpoint writes what replay found. */
    void markDirty(Map<String, TaskRecord> records, long seq) {
        synchronized (lock) {
            records.forEach(dirty::putIfAbsent);
            agentsDirty = true;
            lastSeq = Math.max(lastSeq, seq);
        }
    }

    /** This Baton stepped down: what it had not written is no longer its to write. */
    void reset() {
        synchronized (lock) {
            dirty = new HashMap<>();
            agentsDirty = false;
            lastSeq = 0;
        }
        journal = null;
    }

    long lastSeq() {
        synchronized (lock) {
            return lastSeq;
        }
    }
}
