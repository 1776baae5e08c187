package dev.baton.store;

import dev.baton.engine.EventSink;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the engine's events enter the store, under the engine's lock: each task's latest record is
 * kept for the next checkpoint ({@link #drain}), and in journal mode the event is queued for the
 * journal (which writes the webhook deliveries of task ends with it); in checkpoint mode those
 * deliveries are kept here for the next checkpoint. All O(1), never blocking.
 */
public final class StoreSink implements EventSink {

    private final Object lock = new Object();
    private Map<String, TaskRecord> dirty = new HashMap<>();
    /** What the last drain took, being (or already) written: its records until the next drain. */
    private Map<String, TaskRecord> drained = Map.of();
    private List<Outbox.Delivery> deliveries = new ArrayList<>();
    private boolean agentsDirty;
    private long lastSeq;
    private volatile Journal journal;
    /** Checkpoint mode: the outbox whose deliveries the checkpoint writes; null in journal mode. */
    private volatile Outbox outbox;

    /** What changed since the last drain, up to {@code seq}, and the webhook deliveries of task ends (checkpoint mode). */
    record Changes(Map<String, TaskRecord> tasks, boolean agents, long seq, List<Outbox.Delivery> deliveries) {
        Changes(Map<String, TaskRecord> tasks, boolean agents, long seq) {
            this(tasks, agents, seq, List.of());
        }

        boolean isEmpty() {
            return tasks.isEmpty() && !agents && deliveries.isEmpty();
        }
    }

    /** Checkpoint mode: keep the deliveries task ends ask for until the next checkpoint writes them. */
    void deliveriesFor(Outbox target) {
        this.outbox = target;
    }

    void journalTo(Journal target) {
        this.journal = target;
    }

    @Override
    public void accept(TaskEvent event) {
        synchronized (lock) {
            if (event.task() != null) {
                dirty.put(event.taskId(), event.task());
                Outbox keeping = outbox;
                Outbox.Delivery delivery = keeping == null ? null : keeping.of(event);
                if (delivery != null) {
                    deliveries.add(delivery);
                }
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
            Changes changes = new Changes(dirty, agentsDirty, lastSeq, deliveries);
            drained = dirty;
            // sized for as many as the last interval changed: filling it again neither rehashes nor grows
            dirty = new HashMap<>(Math.max(16, drained.size() * 4 / 3 + 1));
            deliveries = new ArrayList<>();
            agentsDirty = false;
            return changes;
        }
    }

    /** A checkpoint failed: its changes go back, unless newer ones came meanwhile. */
    void putBack(Changes changes) {
        synchronized (lock) {
            changes.tasks().forEach(dirty::putIfAbsent);
            agentsDirty |= changes.agents();
            deliveries.addAll(0, changes.deliveries());
        }
    }

    /** Mark records dirty after recovery, so the next checkpoint writes what replay found. */
    void markDirty(Collection<TaskRecord> records, long seq) {
        synchronized (lock) {
            if (dirty.isEmpty() && records.size() > 16) {
                dirty = new HashMap<>(records.size() * 4 / 3 + 1); // a million replayed grew it twenty times
            }
            for (TaskRecord record : records) {
                dirty.putIfAbsent(record.id(), record); // what the engine changed since, as it restored, is newer
            }
            agentsDirty = true;
            lastSeq = Math.max(lastSeq, seq);
        }
    }

    /** This Baton stepped down: what it had not written is no longer its to write. */
    void reset() {
        synchronized (lock) {
            dirty = new HashMap<>();
            drained = Map.of();
            deliveries = new ArrayList<>();
            agentsDirty = false;
            lastSeq = 0;
        }
        journal = null;
    }

    /**
     * The finished tasks whose records may not be in Redis yet (changed since the last drain, or
     * taken by it), newest record of each: the engine's cache may have dropped them already.
     */
    Map<String, TaskRecord> unwrittenFinished() {
        Map<String, TaskRecord> finished = new HashMap<>();
        synchronized (lock) {
            drained.forEach((id, task) -> {
                if (task.status().isTerminal()) {
                    finished.put(id, task);
                }
            });
            dirty.forEach((id, task) -> {
                if (task.status().isTerminal()) {
                    finished.put(id, task);
                } else {
                    finished.remove(id);
                }
            });
        }
        return finished;
    }

    /** {@link #unwrittenFinished()} for some ids only: a look-up each, for the API's calls. */
    List<TaskRecord> unwrittenFinished(List<String> ids) {
        List<TaskRecord> finished = new ArrayList<>();
        synchronized (lock) {
            for (String id : ids) {
                TaskRecord task = dirty.get(id);
                if (task == null) {
                    task = drained.get(id);
                }
                if (task != null && task.status().isTerminal()) {
                    finished.add(task);
                }
            }
        }
        return finished;
    }

    long lastSeq() {
        synchronized (lock) {
            return lastSeq;
        }
    }
}
