package dev.baton.store;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.EngineState;
import dev.baton.engine.TaskRecord;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;


/**
 * Writes checkpoints: the changed live tasks into the tasks hash, finished tasks out of it into
 * keys that expire with the retention, then the agents and the {@code checkpoint} marker in one
 * step. Only after that is the journal trimmed, and only up to the marker. Every write is fenced
 * ({@link FencedWrites}): a Baton that lost the writer lease changes nothing.
 */
final class Checkpointer {

    private static final int FIELDS_PER_COMMAND = 500;
    private static final int TASKS_PER_CHUNK = 10_000;

    private final RedisCalls redis;
    private final RedisKeys keys;
    private final FencedWrites fence;
    private final long retentionMillis;
    /** Test hook: runs between the marker's write and the journal trim, the moment a crash splits the two. */
    volatile Runnable afterExec = () -> { };

    Checkpointer(RedisCalls redis, RedisKeys keys, FencedWrites fence, long retentionMillis) {
        this.redis = redis;
        this.keys = keys;
        this.fence = fence;
        this.retentionMillis = retentionMillis;
    }

    /**
     * The changes since the last checkpoint. Task records go in chunks of {@link #TASKS_PER_CHUNK}
     * (one huge step would hold Redis and Baton's event loop for seconds); the marker and the
     * agents go last, together. A crash between chunks leaves newer records under an older
     * marker, which is safe as long as the journal holds every event the records show — so in
     * journal mode the caller first waits until the journal has them — because replay then
     * re-applies those events in order and ends on the same records.
     */
    void write(StoreSink.Changes changes, List<AgentRecord> agents, long nowMillis) {
        List<TaskRecord> tasks = new ArrayList<>(changes.tasks().values());
        for (int from = 0; from < tasks.size(); from += TASKS_PER_CHUNK) {
            FencedWrites.Commands chunk = new FencedWrites.Commands();
            addTasks(chunk, tasks.subList(from, Math.min(tasks.size(), from + TASKS_PER_CHUNK)), nowMillis, keys.tasks());
            fence.run(chunk);
        }
        FencedWrites.Commands last = new FencedWrites.Commands();
        if (changes.agents()) {
            addAgents(last, agents);
        }
        last.add("SET", keys.checkpoint(), Long.toString(changes.seq()));
        fence.run(last);
        afterExec.run();
        trimJournal(changes.seq());
    }

    /**
     * Everything, replacing what Redis holds: after Redis came back empty or with less than Baton
     * wrote. The tasks hash is rebuilt under a temporary key and renamed over the old one with the
     * marker; the journal is emptied (the state holds all it had).
     */
    void writeAll(EngineState state, long nowMillis) {
        String building = keys.tasks() + ":building";
        fence.run(new FencedWrites.Commands().add("DEL", building));
        List<TaskRecord> tasks = state.tasks();
        for (int from = 0; from < tasks.size(); from += TASKS_PER_CHUNK) {
            FencedWrites.Commands chunk = new FencedWrites.Commands();
            addTasks(chunk, tasks.subList(from, Math.min(tasks.size(), from + TASKS_PER_CHUNK)), nowMillis, building);
            fence.run(chunk);
        }
        FencedWrites.Commands last = new FencedWrites.Commands().add("DEL", keys.tasks());
        if (tasks.stream().anyMatch(t -> !t.status().isTerminal())) {
            last.add("RENAME", building, keys.tasks());
        }
        addAgents(last, state.agents());
        last.add("SET", keys.checkpoint(), Long.toString(state.seq()));
        last.add("DEL", keys.journal(), keys.journalTop());
        fence.run(last);
    }

    void trimJournal(long seq) {
        fence.run(new FencedWrites.Commands().add("XTRIM", keys.journal(), "MINID", (seq + 1) + "-0"));
    }

    private void addTasks(FencedWrites.Commands commands, Collection<TaskRecord> tasks, long nowMillis, String hash) {
        List<String> hset = null;
        List<String> hdel = null;
        for (TaskRecord task : tasks) {
            if (task.status().isTerminal()) {
                long age = task.completedAt() == null ? 0 : nowMillis - task.completedAt();
                long ttl = retentionMillis - age;
                if (ttl > 0) {
                    commands.add("SET", keys.finished(task.id()), StoreCodec.write(task), "PX", Long.toString(ttl));
                }
                if (hdel == null || hdel.size() == FIELDS_PER_COMMAND + 2) {
                    hdel = addVariadic(commands, hdel, "HDEL", hash);
                }
                hdel.add(task.id());
            } else {
                if (hset == null || hset.size() == 2 * FIELDS_PER_COMMAND + 2) {
                    hset = addVariadic(commands, hset, "HSET", hash);
                }
                hset.add(task.id());
                hset.add(StoreCodec.write(task));
            }
        }
        addVariadic(commands, hset, null, null);
        addVariadic(commands, hdel, null, null);
    }

    /** Adds the command filled so far (if any) and starts the next one (if a name is given). */
    private static List<String> addVariadic(FencedWrites.Commands commands, List<String> full, String name, String key) {
        if (full != null) {
            commands.add(full);
        }
        if (name == null) {
            return null;
        }
        List<String> next = new ArrayList<>();
        next.add(name);
        next.add(key);
        return next;
    }

    private void addAgents(FencedWrites.Commands commands, List<AgentRecord> agents) {
        commands.add("DEL", keys.agents());
        if (agents.isEmpty()) {
            return;
        }
        List<String> hset = new ArrayList<>();
        hset.add("HSET");
        hset.add(keys.agents());
        for (AgentRecord agent : agents) {
            hset.add(agent.spec().id());
            hset.add(StoreCodec.write(agent));
        }
        commands.add(hset);
    }

    /** Reads one finished task kept for the retention, or null. */
    TaskRecord finished(String taskId) {
        Response value = redis.send(Request.cmd(Command.GET).arg(keys.finished(taskId)));
        return value == null ? null : StoreCodec.task(value.toString());
    }

}
