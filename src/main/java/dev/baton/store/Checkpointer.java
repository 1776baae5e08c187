package dev.baton.store;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.ScheduleRecord;
import dev.baton.engine.TypeSettings;
import dev.baton.engine.EngineState;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Function;
import org.jboss.logging.Logger;


/**
 * Writes checkpoints: the changed live tasks into the tasks hash, finished tasks out of it into
 * keys that expire with the retention (and their ids into a stream per terminal status, one entry
 * per checkpoint chunk, for listing), then the agents, the task types' settings, the schedules and
 * the {@code checkpoint} marker in one step. Only after that is the journal trimmed, and only up to
 * the marker. Beside an image of the live tasks (written by a clean stop with a large state:
 * {@link #writeAll}), a finished task leaves an empty value in the hash, and once half as many
 * fields as the image holds have been written beside it, a write of every live task deletes it
 * ({@link #dissolveWanted}). Every write is fenced ({@link FencedWrites}): a Baton that lost the
 * writer lease changes nothing.
 */
final class Checkpointer {

    private static final int FIELDS_PER_COMMAND = 500;
    private static final int TASKS_PER_CHUNK = 10_000;
    /**
     * A checkpoint's task records go to Redis in calls of at most this many tasks, or of about
     * {@link #CHARS_PER_CALL} characters of payloads and results, whichever comes first. Each call
     * is one script, and Redis serves nothing else while it runs: the journal's next write, which
     * every durable answer waits for, waits for it. At 1,000 tasks/s a 5 s checkpoint holds 5,000
     * records, and in one call they held Redis for 20 to 80 ms on a 2-core machine, every 5 s: the
     * slowest dispatches came from there. 128 records hold it for a millisecond or so.
     */
    static final int TASKS_PER_CALL = 128;
    /** See {@link #TASKS_PER_CALL}: a call ends with the task that brings its payloads and results to this many characters. */
    static final int CHARS_PER_CALL = 128 * 1024;
    /**
     * A checkpoint's chunks are sent without waiting for each answer, this many unanswered at
     * once: waiting for each one, a busy Baton's checkpoints wrote about 8,000 finished tasks a
     * second (a round trip per chunk, each behind the journal's writes in Redis) and fell behind a
     * load of 15,000 tasks a second, holding the unwritten records in memory meanwhile. Each
     * unanswered call holds one of the Redis client's pooled connections (6 by default), so that
     * the journal's writes and the other calls keep at least three.
     */
    static final int CALLS_IN_FLIGHT = 3;
    /**
     * A checkpoint that writes at least this many live tasks into the hash (a backlog: a large
     * batch, the first checkpoint after recovering a long journal), or a whole-state write of at
     * least this many tasks, asks Redis to rewrite its append-only file.
     */
    static final int REWRITE_AOF_FROM_TASKS = 100_000;
    private static final Logger LOG = Logger.getLogger(Checkpointer.class);
    private static final Comparator<TaskRecord> BY_ID = Comparator.comparing(TaskRecord::id);

    private final RedisCalls redis;
    private final RedisKeys keys;
    private final FencedWrites fence;
    private final long retentionMillis;
    private final int rewriteFromTasks;
    private volatile boolean rewriting;
    /** Image chunks are cut at about this many characters: a few hundred records, decoded on every core at recovery. */
    static final int IMAGE_CHUNK_CHARS = 256 * 1024;
    /** Characters of image chunks per fenced call. */
    private static final int IMAGE_CHARS_PER_CALL = 8 * 1024 * 1024;
    /**
     * Live tasks in the image Redis holds, or -1 when it holds none ({@link RedisKeys#image}). While
     * there is one, a finished task leaves an empty value in the hash, not none: it may be in the image.
     */
    private volatile int imageTasks = -1;
    /** Ids given an empty value: removed from the hash once the image is gone. */
    private Set<String> leftImage = new HashSet<>();
    /** Fields written into the hash since the image: at half of it, the image goes ({@link #dissolveWanted}). */
    private long writtenSinceImage;
    /** The next write holds every live task, and deletes the image with its marker. */
    private boolean dissolving;
    /** Test hook: runs between the marker's write and the journal trim, the moment a crash splits the two. */
    volatile Runnable afterExec = () -> { };
    /** Test hook: runs once an image's chunks are written, before the step that puts it in place. */
    volatile Runnable beforeImagePlaced = () -> { };

    Checkpointer(RedisCalls redis, RedisKeys keys, FencedWrites fence, long retentionMillis) {
        this(redis, keys, fence, retentionMillis, REWRITE_AOF_FROM_TASKS);
    }

    Checkpointer(RedisCalls redis, RedisKeys keys, FencedWrites fence, long retentionMillis, int rewriteFromTasks) {
        this.redis = redis;
        this.keys = keys;
        this.fence = fence;
        this.retentionMillis = retentionMillis;
        this.rewriteFromTasks = rewriteFromTasks;
    }

    /**
     * The changes since the last checkpoint. Task records go in small chunks ({@link #TASKS_PER_CALL}:
     * one big step would hold Redis, and every durable answer with it); the marker and the
     * agents go last, together. A crash between chunks leaves newer records under an older
     * marker, which is safe as long as the journal holds every event the records show — so in
     * journal mode the caller first waits until the journal has them — because replay then
     * re-applies those events in order and ends on the same records. The webhook deliveries of
     * task ends (checkpoint mode) go first.
     */
    void write(StoreSink.Changes changes, List<AgentRecord> agents, List<TypeSettings> types,
            List<ScheduleRecord> schedules, List<LimitSettings> limits, Map<String, String> analytics,
            long nowMillis) {
        if (!changes.deliveries().isEmpty()) {
            // before the ends: a crash in between may deliver an end the checkpoint lost, never lose one it kept
            FencedWrites.Commands deliveries = new FencedWrites.Commands();
            Outbox.add(deliveries, keys, changes.deliveries());
            fence.run(deliveries);
        }
        List<TaskRecord> tasks = new ArrayList<>(changes.tasks().values());
        FencedWrites.Pipeline chunks = fence.pipeline(CALLS_IN_FLIGHT);
        for (int from = 0, to; from < tasks.size(); from = to) {
            to = callEnd(tasks, from);
            FencedWrites.Commands chunk = new FencedWrites.Commands();
            addTasks(chunk, tasks.subList(from, to), nowMillis, keys.tasks(), imageTasks >= 0);
            chunks.send(chunk); // each chunk stands on its own: its tasks are in no other
        }
        chunks.finish(); // every chunk is in before the marker moves
        FencedWrites.Commands last = new FencedWrites.Commands();
        if (changes.agents()) {
            addAgents(last, agents, types, schedules, limits);
        }
        addAnalytics(last, analytics, false);
        boolean dissolved = dissolving;
        if (dissolved) {
            last.add("DEL", keys.image()); // every live task is in the hash now: this write held them all
        }
        last.add("SET", keys.checkpoint(), Long.toString(changes.seq()));
        fence.run(last);
        if (dissolved) {
            imageTasks = -1;
            dissolving = false;
            writtenSinceImage = 0;
        }
        afterExec.run();
        trimJournal(changes.seq());
        removeLeftImage();
        // not for tasks flowing through: their records leave the hash as fast as they come, and a
        // rewrite at every checkpoint of a busy Baton is a fork copying all of Redis each time
        if (liveTasks(tasks) >= rewriteFromTasks) {
            rewriteAppendOnlyFile();
        }
    }

    private static int liveTasks(List<TaskRecord> tasks) {
        int live = 0;
        for (TaskRecord task : tasks) {
            if (!task.status().isTerminal()) {
                live++;
            }
        }
        return live;
    }

    /**
     * Everything, replacing what Redis holds: after Redis came back empty or with less than Baton
     * wrote. The tasks hash is rebuilt under a temporary key and renamed over the old one with the
     * marker; the journal is emptied (the state holds all it had). The webhook deliveries not yet
     * acknowledged ({@code deliveries}) are written again with them. With {@code asImage} (a clean
     * stop with a large state) the live tasks go, in id order, into a new image instead of the hash,
     * and the hash is left empty: read back in a fraction of the time ({@link RedisKeys#image}).
     */
    void writeAll(EngineState state, Map<String, String> analytics, long nowMillis, List<Outbox.Delivery> deliveries,
            boolean asImage) {
        String building = keys.tasks() + ":building";
        fence.run(new FencedWrites.Commands().add("DEL", building, keys.imageBuilding()));
        List<TaskRecord> tasks = state.tasks();
        List<TaskRecord> live = new ArrayList<>();
        List<TaskRecord> hashed = tasks;
        if (asImage) {
            hashed = new ArrayList<>();
            for (TaskRecord task : tasks) {
                (task.status().isTerminal() ? hashed : live).add(task);
            }
            live.sort(BY_ID); // in id order already (the engine's index): a pass to check
            writeImage(live);
            beforeImagePlaced.run();
        }
        for (int from = 0; from < hashed.size(); from += TASKS_PER_CHUNK) {
            FencedWrites.Commands chunk = new FencedWrites.Commands();
            addTasks(chunk, hashed.subList(from, Math.min(hashed.size(), from + TASKS_PER_CHUNK)), nowMillis, building, false);
            fence.run(chunk);
        }
        FencedWrites.Commands last = new FencedWrites.Commands().add("DEL", keys.tasks(), keys.image());
        if (hashed.stream().anyMatch(t -> !t.status().isTerminal())) {
            last.add("RENAME", building, keys.tasks());
        }
        if (!live.isEmpty()) {
            last.add("RENAME", keys.imageBuilding(), keys.image());
        }
        addAgents(last, state.agents(), state.types(), state.schedules(), state.limits());
        addAnalytics(last, analytics, true);
        Outbox.add(last, keys, deliveries);
        last.add("SET", keys.checkpoint(), Long.toString(state.seq()));
        last.add("DEL", keys.journal(), keys.journalTop());
        fence.run(last);
        imageTasks = live.isEmpty() ? -1 : live.size();
        leftImage = new HashSet<>();
        writtenSinceImage = 0;
        dissolving = false;
        if (tasks.size() >= rewriteFromTasks) {
            rewriteAppendOnlyFile();
        }
    }

    /**
     * The image's chunks, under {@link RedisKeys#imageBuilding}: entry ids {@code 1-0}, {@code 2-0},
     * ...; encoded and written a few megabytes at a time, so a million tasks never sit in memory twice.
     */
    private void writeImage(List<TaskRecord> live) {
        long entry = 0;
        int from = 0;
        while (from < live.size()) {
            int to = from;
            long chars = 0;
            while (to < live.size() && chars < IMAGE_CHARS_PER_CALL) {
                chars += StoreCodec.estimatedChars(live.get(to++));
            }
            FencedWrites.Commands call = new FencedWrites.Commands();
            for (String chunk : StoreCodec.imageChunks(live.subList(from, to), IMAGE_CHUNK_CHARS)) {
                call.add("XADD", keys.imageBuilding(), (++entry) + "-0", "t", chunk);
            }
            fence.run(call);
            from = to;
        }
    }

    /**
     * What recovery found: an image of {@code imageTasks} live tasks (-1: none), the hash's
     * {@code hashFields} fields beside it, and the {@code emptyFields} ids of those with an empty
     * value (left the image; with no image left, stray ones to remove).
     */
    void recovered(int imageTasks, int hashFields, Collection<String> emptyFields) {
        this.imageTasks = imageTasks;
        this.leftImage = new HashSet<>(emptyFields);
        this.writtenSinceImage = imageTasks >= 0 ? hashFields : 0;
        this.dissolving = false;
    }

    /**
     * Whether the image should go: the hash holds (or held since) as many fields beside it as half
     * of it. Then {@link #dissolveWithNextWrite} once every live task is marked changed.
     */
    boolean dissolveWanted() {
        return imageTasks >= 0 && !dissolving && writtenSinceImage >= Math.max(1, imageTasks / 2);
    }

    /** The next {@link #write} holds every live task (the caller marked them changed): it deletes the image with the marker. */
    void dissolveWithNextWrite() {
        dissolving = true;
    }

    /** Whether Redis holds an image (for tests and the log). */
    int imageTasks() {
        return imageTasks;
    }

    /** Once no image is left: the empty values that stood for tasks that left it go from the hash. */
    private void removeLeftImage() {
        if (imageTasks >= 0 || leftImage.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(leftImage);
        for (int from = 0; from < ids.size(); from += TASKS_PER_CHUNK) {
            FencedWrites.Commands chunk = new FencedWrites.Commands();
            List<Object> hdel = null;
            for (String id : ids.subList(from, Math.min(ids.size(), from + TASKS_PER_CHUNK))) {
                if (hdel == null || hdel.size() == FIELDS_PER_COMMAND + 2) {
                    hdel = addVariadic(chunk, hdel, "HDEL", keys.tasks());
                }
                hdel.add(id);
            }
            addVariadic(chunk, hdel, null, null);
            fence.run(chunk);
        }
        leftImage = new HashSet<>();
    }

    /**
     * After a large checkpoint: the append-only file holds every journal entry and every record
     * written since its last rewrite (for a million tasks, most of a gigabyte that Redis replays
     * command by command at its next start), the trimmed journal and the hash hold far less.
     * BGREWRITEAOF has Redis write what it holds now instead, as a snapshot (loaded in a fraction
     * of the time) in a child process. A Redis without persistence, or that refuses the command
     * (a managed one, an ACL), is left as it is.
     */
    void rewriteAppendOnlyFile() {
        try {
            redis.send(Request.cmd(Command.BGREWRITEAOF));
            rewriting = true;
        } catch (RuntimeException e) {
            LOG.debugf("Redis did not rewrite its append-only file: %s", e.toString());
        }
    }

    /** At a clean stop: waits up to {@code millis} for a rewrite this Baton asked for, so that the next start loads it. */
    void awaitRewrite(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (rewriting && System.currentTimeMillis() < deadline) {
            try {
                String info = redis.send(Request.cmd(Command.INFO).arg("persistence")).toString();
                if (info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0")) {
                    rewriting = false;
                    return;
                }
                Thread.sleep(50); // shutdown only: Redis's child writes meanwhile
            } catch (RuntimeException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void trimJournal(long seq) {
        fence.run(new FencedWrites.Commands().add("XTRIM", keys.journal(), "MINID", (seq + 1) + "-0"));
    }

    /**
     * Live tasks into {@code hash}, finished ones out of it into their own keys; with
     * {@code imageBeside}, a finished one gets an empty value there instead (it may be in the image).
     */
    /** Where the call that starts at {@code from} ends: {@link #TASKS_PER_CALL} tasks, or {@link #CHARS_PER_CALL} characters. */
    static int callEnd(List<TaskRecord> tasks, int from) {
        int end = Math.min(tasks.size(), from + TASKS_PER_CALL);
        long chars = 0;
        for (int i = from; i < end; i++) {
            TaskRecord task = tasks.get(i);
            chars += length(task.spec().payload()) + length(task.result());
            if (chars >= CHARS_PER_CALL) {
                return i + 1;
            }
        }
        return end;
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private void addTasks(FencedWrites.Commands commands, Collection<TaskRecord> tasks, long nowMillis, String hash,
            boolean imageBeside) {
        List<Object> hset = null;
        List<Object> hdel = null;
        Map<TaskStatus, StringBuilder> indexed = new EnumMap<>(TaskStatus.class);
        JsonBytes room = new JsonBytes(4096); // every record of the call is written here, then copied out as its bytes
        for (TaskRecord task : tasks) {
            if (task.status().isTerminal()) {
                long finishedAt = task.completedAt() == null ? nowMillis : task.completedAt();
                long ttl = retentionMillis - (nowMillis - finishedAt);
                if (ttl > 0) {
                    commands.add("SET", keys.finished(task.id()), StoreCodec.taskBytes(task, room), "PX", Long.toString(ttl));
                    StringBuilder ids = indexed.computeIfAbsent(task.status(), status -> new StringBuilder());
                    (ids.isEmpty() ? ids : ids.append(' ')).append(task.id()); // no valid id holds a space
                }
                if (imageBeside) {
                    if (hset == null || hset.size() == 2 * FIELDS_PER_COMMAND + 2) {
                        hset = addVariadic(commands, hset, "HSET", hash);
                    }
                    hset.add(task.id());
                    hset.add("");
                    leftImage.add(task.id());
                    writtenSinceImage++;
                    continue;
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
                hset.add(StoreCodec.taskBytes(task, room));
                if (imageBeside) {
                    writtenSinceImage++;
                }
                if (!leftImage.isEmpty()) {
                    leftImage.remove(task.id()); // live again (a dead letter retried): its record stays
                }
            }
        }
        addVariadic(commands, hset, null, null);
        addVariadic(commands, hdel, null, null);
        String retained = Long.toString(nowMillis - retentionMillis);
        for (Map.Entry<TaskStatus, StringBuilder> index : indexed.entrySet()) {
            // one entry for all of them, its id Redis's time: an append, where a sorted set took a search per id
            commands.add("XADD", keys.endedIndex(index.getKey()), "*", "i", index.getValue().toString());
            commands.add("XTRIM", keys.endedIndex(index.getKey()), "MINID", retained);
            // the sorted set Batons before wrote, emptied as its ids pass the retention
            commands.add("ZREMRANGEBYSCORE", keys.finishedIndex(index.getKey()), "-inf", "(" + retained);
        }
    }

    /** Adds the command filled so far (if any) and starts the next one (if a name is given). */
    private static List<Object> addVariadic(FencedWrites.Commands commands, List<Object> full, String name, String key) {
        if (full != null) {
            commands.add(full);
        }
        if (name == null) {
            return null;
        }
        List<Object> next = new ArrayList<>();
        next.add(name);
        next.add(key);
        return next;
    }

    /** The agents, the task types' settings, the schedules and the key limits, each hash replaced whole (they change together: not task events). */
    private void addAgents(FencedWrites.Commands commands, List<AgentRecord> agents, List<TypeSettings> types,
            List<ScheduleRecord> schedules, List<LimitSettings> limits) {
        replaceHash(commands, keys.agents(), agents, agent -> agent.spec().id());
        replaceHash(commands, keys.types(), types, TypeSettings::type);
        replaceHash(commands, keys.schedules(), schedules, ScheduleRecord::id);
        replaceHash(commands, keys.limits(), limits, LimitSettings::key);
    }

    private static <T> void replaceHash(FencedWrites.Commands commands, String key, List<T> values,
            Function<T, String> field) {
        commands.add("DEL", key);
        if (values.isEmpty()) {
            return;
        }
        List<String> hset = new ArrayList<>();
        hset.add("HSET");
        hset.add(key);
        for (T value : values) {
            hset.add(field.apply(value));
            hset.add(StoreCodec.write(value));
        }
        commands.add(hset);
    }

    /** The analytics' minutes that changed, or all of them replacing what Redis holds ({@code all}). */
    private void addAnalytics(FencedWrites.Commands commands, Map<String, String> minutes, boolean all) {
        if (all) {
            commands.add("DEL", keys.analytics());
        }
        if (all || !minutes.isEmpty()) {
            commands.add("DEL", keys.legacyAnalytics()); // read at recovery; the minutes replace it
        }
        if (!minutes.isEmpty()) {
            List<String> hset = new ArrayList<>(2 + 2 * minutes.size());
            hset.add("HSET");
            hset.add(keys.analytics());
            minutes.forEach((slot, figures) -> {
                hset.add(slot);
                hset.add(figures);
            });
            commands.add(hset);
        }
    }

    /** The analytics' minutes written so far (or an earlier Baton's whole text, as one field); empty when none. */
    Map<String, String> analytics() {
        Map<String, String> minutes = RedisCalls.fields(redis.send(Request.cmd(Command.HGETALL).arg(keys.analytics())));
        if (minutes.isEmpty()) {
            Response legacy = redis.send(Request.cmd(Command.GET).arg(keys.legacyAnalytics()));
            if (legacy != null) {
                minutes.put("legacy", legacy.toString());
            }
        }
        return minutes;
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

    /**
     * The ids listed as ended in {@code status} since about {@code sinceMillis} (an entry's time is
     * the checkpoint's, a little after its tasks ended), with those of the sorted set Batons before
     * wrote; an id may come twice.
     */
    List<String> finishedIds(TaskStatus status, long sinceMillis) {
        List<Response> replies = redis.batch(List.of(
                Request.cmd(Command.XRANGE).arg(keys.endedIndex(status)).arg(Long.toString(sinceMillis)).arg("+"),
                Request.cmd(Command.ZRANGEBYSCORE).arg(keys.finishedIndex(status)).arg(sinceMillis).arg("+inf")));
        List<String> out = new ArrayList<>();
        Response entries = replies.get(0);
        if (entries != null) {
            for (Response entry : entries) {
                for (byte[] ids : RedisCalls.valueBytes(entry.get(1))) {
                    for (String id : new String(ids, java.nio.charset.StandardCharsets.UTF_8).split(" ")) {
                        if (!id.isEmpty()) {
                            out.add(id);
                        }
                    }
                }
            }
        }
        Response legacy = replies.get(1);
        if (legacy != null) {
            legacy.forEach(id -> out.add(id.toString()));
        }
        return out;
    }
}
