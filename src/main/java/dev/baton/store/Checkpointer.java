package dev.baton.store;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.EngineState;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;


/**
 * Writes checkpoints (DESIGN §7): the changed live tasks into the tasks hash, finished tasks out of
 * it into keys that expire with the retention (and their ids into a sorted set per terminal
 * status, for listing), then the agents and the {@code checkpoint} marker
 * in one MULTI/EXEC. Only after that is the journal trimmed, and only up to the marker.
 */
final class Checkpointer {

    private static final int FIELDS_PER_COMMAND = 500;
    private static final int TASKS_PER_CHUNK = 10_000;

    private final RedisCalls redis;
    private final RedisKeys keys;
    private final long retentionMillis;
    /** Test hook: runs between EXEC and the journal trim, the moment a crash splits the two. */
    volatile Runnable afterExec = () -> { };

    Checkpointer(RedisCalls redis, RedisKeys keys, long retentionMillis) {
        this.redis = redis;
        this.keys = keys;
        this.retentionMillis = retentionMillis;
    }

    /**
     * The changes since the last checkpoint. Task records go in chunks of {@link #TASKS_PER_CHUNK}
     * (one huge transaction would hold Redis and Baton's event loop for seconds); the marker and
     * the agents go last, in one MULTI/EXEC. A crash between chunks leaves newer records under
     * an older marker, which is safe as long as the journal holds every event the records show —
     * so in journal mode the caller first waits until the journal has them — because replay then
     * re-applies those events in order and ends on the same records.
     */
    void write(StoreSink.Changes changes, List<AgentRecord> agents, long nowMillis) {
        List<TaskRecord> tasks = new ArrayList<>(changes.tasks().values());
        for (int from = 0; from < tasks.size(); from += TASKS_PER_CHUNK) {
            List<Request> chunk = new ArrayList<>();
            addTasks(chunk, tasks.subList(from, Math.min(tasks.size(), from + TASKS_PER_CHUNK)), nowMillis);
            redis.pipeline(chunk);
        }
        List<Request> requests = new ArrayList<>();
        requests.add(Request.cmd(Command.MULTI));
        if (changes.agents()) {
            addAgents(requests, agents);
        }
        requests.add(Request.cmd(Command.SET).arg(keys.checkpoint()).arg(changes.seq()));
        requests.add(Request.cmd(Command.EXEC));
        exec(requests);
        afterExec.run();
        trimJournal(changes.seq());
    }

    /**
     * Everything, replacing what Redis holds: after Redis came back empty, or on request. The
     * tasks hash is rebuilt under a temporary key and renamed over the old one with the marker.
     */
    void writeAll(EngineState state, String epoch, long nowMillis) {
        String building = keys.tasks() + ":building";
        redis.send(Request.cmd(Command.DEL).arg(building));
        List<TaskRecord> tasks = state.tasks();
        for (int from = 0; from < tasks.size(); from += TASKS_PER_CHUNK) {
            List<Request> chunk = new ArrayList<>();
            addTasks(chunk, tasks.subList(from, Math.min(tasks.size(), from + TASKS_PER_CHUNK)), nowMillis, building);
            redis.pipeline(chunk);
        }
        List<Request> requests = new ArrayList<>();
        requests.add(Request.cmd(Command.MULTI));
        requests.add(Request.cmd(Command.DEL).arg(keys.tasks()));
        if (tasks.stream().anyMatch(t -> !t.status().isTerminal())) {
            requests.add(Request.cmd(Command.RENAME).arg(building).arg(keys.tasks()));
        }
        addAgents(requests, state.agents());
        requests.add(Request.cmd(Command.SET).arg(keys.checkpoint()).arg(state.seq()));
        requests.add(Request.cmd(Command.SET).arg(keys.epoch()).arg(epoch));
        requests.add(Request.cmd(Command.EXEC));
        exec(requests);
        trimJournal(state.seq());
    }

    private void exec(List<Request> requests) {
        List<Response> answers = redis.batch(requests);
        Response exec = answers.get(answers.size() - 1);
        if (exec == null) {
            throw new IllegalStateException("checkpoint transaction was aborted");
        }
    }

    void trimJournal(long seq) {
        redis.send(Request.cmd(Command.XTRIM).arg(keys.journal()).arg("MINID").arg((seq + 1) + "-0"));
    }

    private void addTasks(List<Request> requests, Collection<TaskRecord> tasks, long nowMillis) {
        addTasks(requests, tasks, nowMillis, keys.tasks());
    }

    private void addTasks(List<Request> requests, Collection<TaskRecord> tasks, long nowMillis, String hash) {
        Request hset = null;
        Request hdel = null;
        int hsetFields = 0;
        int hdelFields = 0;
        Map<TaskStatus, Request> indexed = new EnumMap<>(TaskStatus.class);
        for (TaskRecord task : tasks) {
            if (task.status().isTerminal()) {
                long finishedAt = task.completedAt() == null ? nowMillis : task.completedAt();
                long ttl = retentionMillis - (nowMillis - finishedAt);
                if (ttl > 0) {
                    requests.add(Request.cmd(Command.SET).arg(keys.finished(task.id())).arg(StoreCodec.write(task))
                            .arg("PX").arg(ttl));
                    indexed.computeIfAbsent(task.status(), status -> Request.cmd(Command.ZADD).arg(keys.finishedIndex(status)))
                            .arg(finishedAt).arg(task.id());
                }
                if (hdel == null || hdelFields == FIELDS_PER_COMMAND) {
                    hdel = Request.cmd(Command.HDEL).arg(hash);
                    requests.add(hdel);
                    hdelFields = 0;
                }
                hdel.arg(task.id());
                hdelFields++;
            } else {
                if (hset == null || hsetFields == FIELDS_PER_COMMAND) {
                    hset = Request.cmd(Command.HSET).arg(hash);
                    requests.add(hset);
                    hsetFields = 0;
                }
                hset.arg(task.id()).arg(StoreCodec.write(task));
                hsetFields++;
            }
        }
        for (Map.Entry<TaskStatus, Request> index : indexed.entrySet()) {
            requests.add(index.getValue());
            requests.add(Request.cmd(Command.ZREMRANGEBYSCORE).arg(keys.finishedIndex(index.getKey()))
                    .arg("-inf").arg("(" + (nowMillis - retentionMillis)));
        }
    }

    private void addAgents(List<Request> requests, List<AgentRecord> agents) {
        requests.add(Request.cmd(Command.DEL).arg(keys.agents()));
        if (agents.isEmpty()) {
            return;
        }
        Request hset = Request.cmd(Command.HSET).arg(keys.agents());
        for (AgentRecord agent : agents) {
            hset.arg(agent.spec().id()).arg(StoreCodec.write(agent));
        }
        requests.add(hset);
    }

    /** Reads one finished task kept for the retention, or null. */
    TaskRecord finished(String taskId) {
        Response value = redis.send(Request.cmd(Command.GET).arg(keys.finished(taskId)));
        return value == null ? null : StoreCodec.task(value.toString());
    }

    /** The finished tasks kept for the retention among {@code ids} (an MGET per {@value #FIELDS_PER_COMMAND}). */
    Uni<List<TaskRecord>> finishedAsync(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return redis.batchAsync(mgets(ids)).map(Checkpointer::records);
    }

    /** The same read, blocking (not on an event loop). */
    List<TaskRecord> finished(List<String> ids) {
        return ids.isEmpty() ? List.of() : records(redis.batch(mgets(ids)));
    }

    private List<Request> mgets(List<String> ids) {
        List<Request> requests = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += FIELDS_PER_COMMAND) {
            Request mget = Request.cmd(Command.MGET);
            ids.subList(from, Math.min(ids.size(), from + FIELDS_PER_COMMAND)).forEach(id -> mget.arg(keys.finished(id)));
            requests.add(mget);
        }
        return requests;
    }

    private static List<TaskRecord> records(List<Response> replies) {
        List<TaskRecord> records = new ArrayList<>();
        for (Response reply : replies) {
            for (int i = 0; i < reply.size(); i++) {
                Response value = reply.get(i);
                if (value != null) {
                    records.add(StoreCodec.task(value.toString()));
                }
            }
        }
        return records;
    }

    /** The ids listed as ended in {@code status} since {@code sinceMillis}. */
    List<String> finishedIds(TaskStatus status, long sinceMillis) {
        Response ids = redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(keys.finishedIndex(status)).arg(sinceMillis).arg("+inf"));
        List<String> out = new ArrayList<>(ids == null ? 0 : ids.size());
        if (ids != null) {
            ids.forEach(id -> out.add(id.toString()));
        }
        return out;
    }

}
