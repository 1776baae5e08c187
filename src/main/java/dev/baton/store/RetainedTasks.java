package dev.baton.store;

import dev.baton.engine.Coordinator;
import dev.baton.engine.TaskPage;
import dev.baton.engine.TaskQuery;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskView;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Finished tasks past the engine's memory (its finished cache is bounded, and a restart empties
 * it) but within the retention, read back from their Redis records, so that a known id stays
 * known: {@link #call} hands the records of the ids a call names to the engine before the call,
 * and {@link #list} adds the kept ones to a page of finished tasks.
 */
public final class RetainedTasks {

    private static final int LIST_CHUNK = 500;

    private final Coordinator coordinator;
    private final Checkpointer records;
    private final StoreSink sink;
    private final Clock clock;
    private final long retentionMillis;
    private final BooleanSupplier serving;

    RetainedTasks(Coordinator coordinator, Checkpointer records, StoreSink sink, Clock clock, long retentionMillis,
            BooleanSupplier serving) {
        this.coordinator = coordinator;
        this.records = records;
        this.sink = sink;
        this.clock = clock;
        this.retentionMillis = retentionMillis;
        this.serving = serving;
    }

    /**
     * Runs {@code call} on the engine with the finished tasks among {@code ids} that it does not
     * hold read back from Redis first. When the engine knows every id (or none is kept) there is
     * no Redis call and {@code call} runs at once, on the caller's thread; otherwise it runs on
     * the caller's Vert.x context once Redis answered.
     */
    public <T> Uni<T> call(Collection<String> ids, Supplier<T> call) {
        List<String> unknown = knowsAll(ids) ? List.of() : coordinator.unknown(ids);
        if (unknown.isEmpty()) {
            return Uni.createFrom().item(call);
        }
        // records not checkpointed yet are in memory, the others in Redis
        List<TaskRecord> unwritten = sink.unwrittenFinished(unknown);
        if (!unwritten.isEmpty()) {
            Set<String> inMemory = new HashSet<>();
            unwritten.forEach(task -> inMemory.add(task.id()));
            unknown = unknown.stream().filter(id -> !inMemory.contains(id)).toList();
        }
        if (unknown.isEmpty()) {
            return Uni.createFrom().item(() -> coordinator.withFinished(unwritten, clock.millis(), call));
        }
        Context context = Vertx.currentContext();
        List<String> asked = unknown;
        Uni<List<TaskRecord>> found = records.finishedAsync(asked)
                .onFailure().transform(e -> unanswered(asked, e))
                .map(kept -> {
                    List<TaskRecord> all = new ArrayList<>(kept);
                    all.addAll(unwritten);
                    return all;
                });
        if (context != null) {
            found = found.emitOn(command -> context.runOnContext(v -> command.run()));
        }
        return found.map(kept -> kept.isEmpty() ? call.get() : coordinator.withFinished(kept, clock.millis(), call));
    }

    /** Whether a call naming {@code ids} can run at once: {@link #call} would read nothing back from Redis. */
    public boolean knowsAll(Collection<String> ids) {
        return ids.isEmpty() || !serving.getAsBoolean() || coordinator.unknown(ids).isEmpty();
    }

    /**
     * A page of the task list as {@link Coordinator#list} gives it, with, for a finished status,
     * the tasks that ended so within the retention and that the engine no longer holds, in the
     * same id order: the engine's view of a task wins, so no task appears twice. Blocking.
     */
    public TaskPage list(TaskQuery query, long now) {
        TaskPage held = coordinator.list(query, now);
        if (query.status() == null || !query.status().isTerminal() || !serving.getAsBoolean()) {
            return held;
        }
        // past the held page's last id the held tasks are not known: a full held page bounds the merge
        try {
            return merged(query, now, held);
        } catch (RuntimeException e) {
            throw new DurabilityUnavailableException("Redis did not answer the list of " + query.status()
                    + " tasks kept for the retention (" + e + "); retry the call");
        }
    }

    private TaskPage merged(TaskQuery query, long now, TaskPage held) {
        int limit = Math.max(1, query.limit());
        String bound = held.nextAfter();
        TreeSet<String> ids = new TreeSet<>(records.finishedIds(query.status(), now - retentionMillis));
        List<String> candidates = new ArrayList<>(query.after() == null ? ids : ids.tailSet(query.after(), false));
        Map<String, TaskView> page = new TreeMap<>();
        held.tasks().forEach(task -> page.put(task.id(), task));
        Map<String, TaskRecord> unwritten = sink.unwrittenFinished();
        unwritten.keySet().retainAll(coordinator.unknown(unwritten.keySet()));
        for (TaskRecord r : unwritten.values()) {
            if (matches(r, query, now) && (query.after() == null || r.id().compareTo(query.after()) > 0)
                    && (bound == null || r.id().compareTo(bound) < 0)) {
                page.put(r.id(), r.finishedView());
            }
        }
        int kept = 0;
        for (int from = 0; from < candidates.size() && kept <= limit; from += LIST_CHUNK) {
            List<String> chunk = candidates.subList(from, Math.min(candidates.size(), from + LIST_CHUNK));
            if (bound != null && chunk.get(0).compareTo(bound) > 0) {
                break;
            }
            List<String> unknown = new ArrayList<>(coordinator.unknown(chunk));
            unknown.removeAll(unwritten.keySet());
            for (TaskRecord r : records.finished(unknown)) {
                if (matches(r, query, now) && (bound == null || r.id().compareTo(bound) < 0)) {
                    page.put(r.id(), r.finishedView());
                    kept++;
                }
            }
        }
        List<TaskView> tasks = new ArrayList<>(page.values());
        boolean more = tasks.size() > limit || bound != null;
        List<TaskView> first = tasks.subList(0, Math.min(limit, tasks.size()));
        return new TaskPage(List.copyOf(first), more && !first.isEmpty() ? first.get(first.size() - 1).id() : null);
    }

    /**
     * Without Redis's answer an id it keeps may be taken for a new one (a task run twice), so the
     * call is refused and changes nothing; the client retries it.
     */
    private static DurabilityUnavailableException unanswered(List<String> ids, Throwable cause) {
        String named = ids.size() == 1 ? "task '" + ids.get(0) + "' is" : ids.size() + " tasks are";
        return new DurabilityUnavailableException("Redis did not confirm whether " + named
                + " finished within the retention (" + cause + "); nothing was changed: retry the call");
    }

    private boolean matches(TaskRecord r, TaskQuery query, long now) {
        return query.matches(r.status(), r.spec().type(), r.assignedAgent(), r.spec().priority(), r.createdAt())
                && (r.completedAt() == null || r.completedAt() + retentionMillis > now);
    }
}
