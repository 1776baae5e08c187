package dev.baton.store;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.EngineState;
import dev.baton.engine.EventType;
import dev.baton.engine.ScheduleRecord;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.TypeSettings;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Reads Baton's state back from Redis (docs/redis.md): the tasks' image (if a clean stop wrote one),
 * the hashes as of the {@code checkpoint} marker (the tasks hash's records replace the image's, its
 * empty values remove them), then every journal entry above it, applying each task's events in {@code seq} order and each
 * at most once — so entries written twice (a retried "maybe applied" write) or overlapping the
 * marker change nothing. Records are parsed from the bytes Redis sent, on every core (parallel
 * streams, order kept), while Redis reads the next page of the tasks hash or the journal; journal
 * events are applied in order on the calling thread. The tasks go to the engine in no map: a
 * task's last journal record, else its record in the hash, else the image's; unsorted without an
 * image (the engine sorts them by id, and keeps one of an id HSCAN returned twice: the hash
 * resized between two pages), else the few beside it sorted here and merged into its id order. A slim
 * journal record ({@link StoreCodec#continues}) is completed from the task's record before it.
 */
final class Recovery {

    private static final Logger LOG = Logger.getLogger(Recovery.class);
    private static final int SCAN_COUNT = 10_000;
    /** Finished keys per MGET when slim journal records need them (rarely: see {@link #completeSlimRecords}). */
    private static final int FINISHED_PER_READ = 1_000;
    /**
     * Entries per XRANGE, the next asked for while this page is decoded: an entry of a batch submit
     * holds thousands of records (megabytes), and one reply of hundreds of them held the whole
     * journal in memory at once.
     */
    private static final int RANGE_COUNT = 16;
    /**
     * Fewer bytes than this are decoded on the recovering thread alone. Counted in bytes, not texts:
     * a page of the journal is a few entries of thousands of records each.
     */
    private static final long PARALLEL_FROM_BYTES = 64 * 1024;
    /** Image entries per XRANGE: each about {@value Checkpointer#IMAGE_CHUNK_CHARS} bytes, so 8 MB a page. */
    private static final int IMAGE_RANGE_COUNT = 32;
    private static final Comparator<TaskRecord> BY_ID = Comparator.comparing(TaskRecord::id);

    /**
     * @param replayed the records of the tasks the journal changed after the marker: the next checkpoint must write them
     * @param marker the checkpoint marker found
     * @param journalTop the id of the journal entry appended last ("" when none)
     */
    record Result(EngineState state, Collection<TaskRecord> replayed, int fromCheckpoint, int journalEvents,
            long marker, String journalTop, int imageTasks, int hashFields, List<String> emptyFields) {
    }

    private Recovery() {
    }

    static Result read(RedisCalls redis, RedisKeys keys) {
        Response markerValue = redis.send(Request.cmd(Command.GET).arg(keys.checkpoint()));
        long marker = markerValue == null ? 0 : markerValue.toLong();

        List<TaskRecord> imaged = readImage(redis, keys);

        // not sized by HLEN: the least rights an operator grants Baton (docs/operations.md) do not include it
        List<TaskRecord> hashed = new ArrayList<>();
        List<String> emptyFields = new ArrayList<>();
        int hashFields = 0;
        String cursor = "0";
        CompletableFuture<Response> next = hscan(redis, keys, cursor);
        do {
            Response page = next.join();
            cursor = page.get(0).toString();
            if (!"0".equals(cursor)) {
                next = hscan(redis, keys, cursor); // Redis reads the next page while this one is decoded
            }
            // a flat array of id, record, id, record...: a record holds its id; parsed from its bytes (no text made first)
            io.vertx.redis.client.Response items = page.get(1).getDelegate();
            int n = items.size() / 2;
            hashFields += n;
            List<byte[]> texts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] text = RedisCalls.bytes(items.get(2 * i + 1));
                if (text.length == 0) {
                    emptyFields.add(items.get(2 * i).toString()); // a task that left the image
                } else {
                    texts.add(text);
                }
            }
            hashed.addAll(decode(texts, StoreCodec::task));
        } while (!"0".equals(cursor));
        List<TaskRecord> checkpointed = hashed;
        int inIdOrder = 0; // the first records of checkpointed, in id order: the image's that the hash did not replace
        if (!imaged.isEmpty()) {
            Set<String> replaced = new HashSet<>(emptyFields);
            hashed.forEach(record -> replaced.add(record.id()));
            checkpointed = new ArrayList<>(imaged.size() + hashed.size());
            for (TaskRecord record : imaged) {
                if (!replaced.contains(record.id())) {
                    checkpointed.add(record);
                }
            }
            inIdOrder = checkpointed.size();
            checkpointed.addAll(hashed);
        }

        Map<String, AgentRecord> agents = new LinkedHashMap<>();
        RedisCalls.fields(redis.send(Request.cmd(Command.HGETALL).arg(keys.agents())))
                .forEach((id, json) -> agents.put(id, StoreCodec.agent(json)));

        Map<String, TypeSettings> types = new LinkedHashMap<>();
        RedisCalls.fields(redis.send(Request.cmd(Command.HGETALL).arg(keys.types())))
                .forEach((type, json) -> types.put(type, StoreCodec.typeSettings(json)));
        Map<String, LimitSettings> limits = new LinkedHashMap<>();
        RedisCalls.fields(redis.send(Request.cmd(Command.HGETALL).arg(keys.limits())))
                .forEach((key, json) -> limits.put(key, StoreCodec.limit(json)));

        Map<String, ScheduleRecord> schedules = new LinkedHashMap<>();
        RedisCalls.fields(redis.send(Request.cmd(Command.HGETALL).arg(keys.schedules())))
                .forEach((id, json) -> schedules.put(id, StoreCodec.schedule(json)));

        // per task its last event applied, in the order tasks first appear (their ids' order, mostly: cheap to sort)
        Map<String, StoreCodec.Replayed> replayed = new LinkedHashMap<>();
        long lastSeq = marker;
        int journalEvents = 0;
        CompletableFuture<Response> nextRange = xrange(redis, keys.journal(), marker + 1, RANGE_COUNT);
        while (true) {
            Response entries = nextRange.join();
            if (entries == null || entries.size() == 0) {
                break;
            }
            String lastId = entries.get(entries.size() - 1).get(0).toString();
            long lastEntrySeq = Long.parseLong(lastId.substring(0, lastId.indexOf('-')));
            nextRange = xrange(redis, keys.journal(), lastEntrySeq + 1, RANGE_COUNT); // Redis reads on while this page is decoded
            List<byte[]> texts = new ArrayList<>();
            for (Response entry : entries) {
                texts.addAll(RedisCalls.valueBytes(entry.get(1)));
            }
            for (List<StoreCodec.Replayed> events : decode(texts, StoreCodec::journal)) {
                for (StoreCodec.Replayed event : events) {
                    if (event.seq() <= marker) {
                        continue;
                    }
                    journalEvents++;
                    lastSeq = Math.max(lastSeq, event.seq());
                    apply(event, agents, types, schedules, limits, replayed);
                }
            }
            // the next entry must go above every entry there, even one that only repeats older events
            lastSeq = Math.max(lastSeq, lastEntrySeq);
        }
        completeSlimRecords(redis, keys, replayed, checkpointed);
        List<TaskRecord> ordered = new ArrayList<>(inIdOrder);
        List<TaskRecord> others = new ArrayList<>(checkpointed.size() - inIdOrder + replayed.size());
        for (int i = 0; i < checkpointed.size(); i++) {
            TaskRecord record = checkpointed.get(i);
            if (replayed.isEmpty() || !replayed.containsKey(record.id())) {
                (i < inIdOrder ? ordered : others).add(record);
            }
        }
        replayed.values().forEach(event -> others.add(event.task())); // a task's last event in the journal wins
        List<TaskRecord> tasks = others;
        if (inIdOrder > 0) {
            // the engine takes them in id order, or sorts them all: the few beside the image are sorted here
            others.sort(BY_ID);
            tasks = merge(ordered, others);
        }
        EngineState state = new EngineState(tasks, new ArrayList<>(agents.values()),
                new ArrayList<>(types.values()), new ArrayList<>(schedules.values()), lastSeq, new ArrayList<>(limits.values()));
        Response top = redis.send(Request.cmd(Command.GET).arg(keys.journalTop()));
        return new Result(state, replayed.values().stream().map(StoreCodec.Replayed::task).toList(), checkpointed.size(),
                journalEvents, marker, top == null ? "" : top.toString(), imaged.isEmpty() ? -1 : imaged.size(), hashFields,
                emptyFields);
    }

    /**
     * The image's records, in id order (none when Redis holds no image): pages of
     * {@value #IMAGE_RANGE_COUNT} entries, the next asked for while this one is decoded, its
     * entries on every core.
     */
    private static List<TaskRecord> readImage(RedisCalls redis, RedisKeys keys) {
        List<TaskRecord> imaged = new ArrayList<>();
        CompletableFuture<Response> next = xrange(redis, keys.image(), 1, IMAGE_RANGE_COUNT);
        while (true) {
            Response entries = next.join();
            if (entries == null || entries.size() == 0) {
                return imaged;
            }
            String lastId = entries.get(entries.size() - 1).get(0).toString();
            next = xrange(redis, keys.image(), Long.parseLong(lastId.substring(0, lastId.indexOf('-'))) + 1, IMAGE_RANGE_COUNT);
            List<byte[]> texts = new ArrayList<>(entries.size());
            for (Response entry : entries) {
                texts.addAll(RedisCalls.valueBytes(entry.get(1)));
            }
            decode(texts, StoreCodec::imageChunk).forEach(imaged::addAll);
        }
    }

    /** Two lists in id order, as one (an id in both: {@code b}'s last). */
    private static List<TaskRecord> merge(List<TaskRecord> a, List<TaskRecord> b) {
        List<TaskRecord> out = new ArrayList<>(a.size() + b.size());
        int i = 0;
        int j = 0;
        while (i < a.size() && j < b.size()) {
            out.add(a.get(i).id().compareTo(b.get(j).id()) <= 0 ? a.get(i++) : b.get(j++));
        }
        out.addAll(a.subList(i, a.size()));
        out.addAll(b.subList(j, b.size()));
        return out;
    }

    /**
     * Journal records written slim (a task's event after the one that made it) whose task's earlier
     * record was not in the journal above the marker take what never changes in a task's life from
     * its record in the hash, else (a crash between two chunks of a checkpoint moved it out of the
     * hash) from its finished key. One found nowhere can only be a task whose retention ran out
     * with it: it is dropped, and said.
     */
    private static void completeSlimRecords(RedisCalls redis, RedisKeys keys, Map<String, StoreCodec.Replayed> replayed,
            List<TaskRecord> checkpointed) {
        Map<String, StoreCodec.Replayed> slim = new HashMap<>();
        for (StoreCodec.Replayed event : replayed.values()) {
            if (StoreCodec.isSlim(event.task())) {
                slim.put(event.task().id(), event);
            }
        }
        if (slim.isEmpty()) {
            return;
        }
        for (TaskRecord record : checkpointed) {
            StoreCodec.Replayed event = slim.remove(record.id());
            if (event != null) {
                replayed.put(record.id(), event.withTask(StoreCodec.withSpecOf(event.task(), record)));
            }
        }
        List<String> ids = new ArrayList<>(slim.keySet());
        for (int from = 0; from < ids.size(); from += FINISHED_PER_READ) {
            List<String> some = ids.subList(from, Math.min(ids.size(), from + FINISHED_PER_READ));
            Request mget = Request.cmd(Command.MGET);
            some.forEach(id -> mget.arg(keys.finished(id)));
            Response found = redis.send(mget);
            for (int i = 0; i < some.size(); i++) {
                Response record = found.get(i);
                if (record != null) {
                    String id = some.get(i);
                    StoreCodec.Replayed event = slim.remove(id);
                    replayed.put(id, event.withTask(StoreCodec.withSpecOf(event.task(), StoreCodec.task(record.toBytes()))));
                }
            }
        }
        for (String id : slim.keySet()) {
            replayed.remove(id);
            LOG.errorf("task %s: its last journal record is slim and no earlier record of it is left (not in the hash, "
                    + "its finished key expired): dropped", id);
        }
    }

    private static CompletableFuture<Response> hscan(RedisCalls redis, RedisKeys keys, String cursor) {
        return redis.sendAsync(Request.cmd(Command.HSCAN).arg(keys.tasks()).arg(cursor).arg("COUNT").arg(SCAN_COUNT))
                .subscribeAsCompletionStage();
    }

    private static CompletableFuture<Response> xrange(RedisCalls redis, String stream, long fromSeq, int count) {
        return redis.sendAsync(Request.cmd(Command.XRANGE).arg(stream).arg(fromSeq + "-0").arg("+")
                .arg("COUNT").arg(count)).subscribeAsCompletionStage();
    }

    /** Decodes on every core (a page is thousands of records), keeping the order. */
    private static <T> List<T> decode(List<byte[]> texts, Function<byte[], T> reader) {
        long bytes = 0;
        for (byte[] text : texts) {
            bytes += text.length;
        }
        if (texts.size() < 2 || bytes < PARALLEL_FROM_BYTES) {
            return texts.stream().map(reader).toList();
        }
        return texts.parallelStream().map(reader).toList();
    }

    /** Of two events of one task, the later; a slim record takes the spec from the record before it (that one may be slim too: completed later). */
    private static StoreCodec.Replayed later(StoreCodec.Replayed seen, StoreCodec.Replayed event) {
        if (event.seq() <= seen.seq()) {
            return seen;
        }
        return StoreCodec.isSlim(event.task()) && !StoreCodec.isSlim(seen.task())
                ? event.withTask(StoreCodec.withSpecOf(event.task(), seen.task())) : event;
    }

    private static void apply(StoreCodec.Replayed event, Map<String, AgentRecord> agents,
            Map<String, TypeSettings> types, Map<String, ScheduleRecord> schedules, Map<String, LimitSettings> limits,
            Map<String, StoreCodec.Replayed> replayed) {
        if (event.task() != null) {
            String taskId = event.task().id();
            replayed.merge(taskId, event, Recovery::later); // one lookup: a million tasks replayed take a million
        } else if (event.type() == EventType.AGENT_REGISTERED && event.agent() != null) {
            AgentRecord known = agents.get(event.agentId());
            // a registration changes the spec; the history stays what the checkpoint had
            agents.put(event.agentId(), known == null ? event.agent()
                    : new AgentRecord(event.agent().spec(), known.registeredAt(), event.agent().lastSeen(),
                            known.overall(), known.byType()));
        } else if (event.type() == EventType.AGENT_LEFT) {
            agents.remove(event.agentId());
        } else if (event.type() == EventType.TYPE_UPDATED && event.settings() != null) {
            types.put(event.settings().type(), event.settings()); // the engine drops empty settings as it restores
        } else if (event.schedule() != null) {
            if (event.type() == EventType.SCHEDULE_DELETED) {
                schedules.remove(event.schedule().id());
            } else {
                schedules.put(event.schedule().id(), event.schedule()); // a later tick never goes back: events are in seq order
            }
        } else if (event.type() == EventType.LIMIT_UPDATED && event.limit() != null) {
            limits.put(event.limit().key(), event.limit()); // the engine drops empty ones as it restores
        }
    }
}
