package dev.baton.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.baton.engine.AgentRecord;
import dev.baton.engine.ScheduleRecord;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.EventType;
import dev.baton.engine.Priority;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskAttempt;
import dev.baton.engine.TaskSpec;
import dev.baton.engine.TaskStatus;
import dev.baton.engine.TypeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * JSON for what Baton keeps in Redis (docs/redis.md, "Records").
 *
 * <p><b>Task records and journal entries</b> are written by hand, field by field, with short
 * names and without the fields that hold their default (null, 0, false, an empty list, a level
 * equal to the priority): they are most of what Redis holds and most of what recovery reads, and
 * a reflective mapper was the journal writer's largest cost. They are read with Jackson's
 * streaming parser, which skips names it does not know, so a newer Baton may add fields.
 *
 * <p><b>Compatibility.</b> What Baton wrote before this format (Jackson's records, with long
 * names: a task record starts with {@code {"spec":}, a journal entry with {@code {"events":})
 * is still read, by the mapper, so a Redis written by an older Baton recovers unchanged. Agents
 * and type settings (few, rarely written) stay in the mapper's format.
 *
 * <p><b>Journal entries</b> keep what recovery applies, nothing more: per task the record after
 * its last event in the entry (an entry is appended whole or not at all, so the records before it
 * in the same entry never matter), and agent and type events as they were.
 */
final class StoreCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    /** {@code "at"} as this number: the record's one run is the one its own fields tell ({@link #onlyRun}). */
    private static final int ONLY_RUN = 1;
    private static final TypeReference<List<TaskAttempt>> ATTEMPTS = new TypeReference<>() {
    };
    /** Room for a record without its payload, so most builders never grow. */
    private static final int RECORD_CHARS = 256;

    private StoreCodec() {
    }

    /** One journal entry as Baton wrote it before the compact format: events in seq order. */
    record Batch(List<TaskEvent> events) {
    }

    /**
     * What recovery applies of one journal event: a task's record ({@code task}, {@code type}
     * may then be null), or an agent's or a type's change.
     */
    record Replayed(long seq, EventType type, String agentId, TaskRecord task, AgentRecord agent, TypeSettings settings,
            ScheduleRecord schedule, LimitSettings limit) {

        static Replayed of(TaskEvent event) {
            return new Replayed(event.seq(), event.type(), event.agentId(), event.task(), event.agent(), event.settings(),
                    event.schedule(), event.limit());
        }

        Replayed withTask(TaskRecord whole) {
            return new Replayed(seq, type, agentId, whole, agent, settings, schedule, limit);
        }
    }

    /** Entries with at least this many events are encoded on several threads. */
    static final int PARALLEL_FROM = 2_000;

    /**
     * One journal entry: a JSON array of events, {@code {"s":seq,"r":record}} for a task's last
     * event in the entry and {@code {"s":seq,"k":kind,"g":agent,"a":agent record,"ts":settings}}
     * for the others (with {@code "sc"} a schedule, {@code "lm"} a key limit). A task's record is
     * whole when the entry holds the event that made it (or brought it back from the finished),
     * else slim ({@link #continues}, {@link #appendSlim}). A large one (a batch submit, a release of many dependents) is encoded in
     * slices on the common pool and the slices joined: its caller waits for this write, the event
     * loops are idle meanwhile, and one thread encoding a 100,000-task batch was most of what the
     * batch's answer waited for.
     */
    static String journalEntry(List<TaskEvent> events) {
        return new String(journalBytes(events), StandardCharsets.UTF_8);
    }

    /** {@link #journalEntry(List)} as the UTF-8 bytes that go to Redis, written once ({@link JsonBytes}). */
    static byte[] journalBytes(List<TaskEvent> events) {
        return journalBytes(events, PARALLEL_FROM, null);
    }

    /**
     * {@link #journalBytes(List)}, written into {@code scratch} (cleared first; null: new room) and
     * copied out, or from {@code parallelFrom} events in slices on several threads.
     */
    static byte[] journalBytes(List<TaskEvent> events, int parallelFrom, JsonBytes scratch) {
        byte[] kept = kept(events);
        if (events.size() < parallelFrom) {
            JsonBytes out = scratch == null ? new JsonBytes(events.size() * RECORD_CHARS) : scratch;
            out.clear();
            appendEvents(out.ascii('['), events, kept, 0, events.size());
            return out.ascii(']').toBytes();
        }
        int slices = Math.max(2, Runtime.getRuntime().availableProcessors());
        int size = (events.size() + slices - 1) / slices;
        List<byte[]> parts = IntStream.range(0, slices).parallel()
                .mapToObj(i -> {
                    int from = Math.min(events.size(), i * size);
                    int to = Math.min(events.size(), (i + 1) * size);
                    JsonBytes out = new JsonBytes((to - from) * RECORD_CHARS);
                    appendEvents(out, events, kept, from, to);
                    return out.toBytes();
                })
                .filter(slice -> slice.length > 0)
                .toList();
        int length = 1 + parts.size();
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] joined = new byte[Math.max(2, length)];
        int at = 0;
        joined[at++] = '[';
        for (byte[] part : parts) {
            if (at > 1) {
                joined[at++] = ',';
            }
            System.arraycopy(part, 0, joined, at, part.length);
            at += part.length;
        }
        joined[at] = ']';
        return joined;
    }

    /** How an event of an entry is written: not at all, its task's record whole or slim, or (not a task's) as it is. */
    private static final byte DROPPED = 0;
    private static final byte WHOLE = 1;
    private static final byte SLIM = 2;

    /**
     * Events that happen only to a task that was live just before, so an earlier record of it, in
     * the hash or in the journal above the marker, or, after a crash between checkpoint chunks,
     * under its finished key, holds what never changes in a task's life: the spec, the max retries
     * and the creation time. Recovery takes those from there ({@link #withSpecOf}). Every other
     * event (a submit, a task coming back from the finished, one added later) writes the record whole.
     */
    static boolean continues(EventType type) {
        return switch (type) {
            case ASSIGNED, STARTED, PROGRESS, COMPLETED, FAILED, RETRYING, EXPIRED, REQUEUED, RELEASED, CANCELLED -> true;
            default -> false;
        };
    }

    /**
     * Which events are written, and how: all but a task event followed, in the same entry, by
     * another of that task; a task's record slim only when none of its events in the entry needs it whole.
     */
    private static byte[] kept(List<TaskEvent> events) {
        byte[] kept = new byte[events.size()];
        if (events.size() == 1) {
            TaskEvent only = events.get(0);
            kept[0] = only.task() != null && continues(only.type()) ? SLIM : WHOLE;
            return kept;
        }
        Map<String, Integer> last = new HashMap<>(Math.max(16, events.size() * 4 / 3));
        for (int i = events.size() - 1; i >= 0; i--) {
            TaskEvent event = events.get(i);
            if (event.task() == null) {
                kept[i] = WHOLE;
                continue;
            }
            Integer later = last.putIfAbsent(event.taskId(), i);
            int at = later == null ? i : later;
            if (later == null) {
                kept[i] = SLIM;
            }
            if (!continues(event.type())) {
                kept[at] = WHOLE;
            }
        }
        return kept;
    }

    private static void appendEvents(JsonBytes out, List<TaskEvent> events, byte[] kept, int from, int to) {
        boolean first = true;
        for (int i = from; i < to; i++) {
            if (kept[i] == DROPPED) {
                continue;
            }
            if (!first) {
                out.ascii(',');
            }
            first = false;
            TaskEvent event = events.get(i);
            out.ascii("{\"s\":").number(event.seq());
            if (event.task() != null) {
                out.ascii(",\"r\":");
                if (kept[i] == SLIM) {
                    appendSlim(out, event.task());
                } else {
                    appendTask(out, event.task());
                }
            } else {
                out.ascii(",\"k\":\"").ascii(event.type().name()).ascii('"');
                if (event.agentId() != null) {
                    out.ascii(",\"g\":");
                    out.string(event.agentId());
                }
                if (event.agent() != null) {
                    out.ascii(",\"a\":").raw(write(event.agent()));
                }
                if (event.settings() != null) {
                    out.ascii(",\"ts\":").raw(write(event.settings()));
                }
                if (event.schedule() != null) {
                    out.ascii(",\"sc\":").raw(write(event.schedule()));
                }
                if (event.limit() != null) {
                    out.ascii(",\"lm\":").raw(write(event.limit()));
                }
            }
            out.ascii('}');
        }
    }

    /** {@link #task(TaskRecord)} as the UTF-8 bytes that go to Redis, written into {@code room} (cleared first) and copied out. */
    static byte[] taskBytes(TaskRecord task, JsonBytes room) {
        room.clear();
        appendTask(room, task);
        return room.toBytes();
    }

    /** A task record (the tasks hash, a finished task's key). */
    static String task(TaskRecord task) {
        String payload = task.spec().payload();
        JsonBytes out = new JsonBytes(RECORD_CHARS + (payload == null ? 0 : payload.length() + 16) + length(task.result()));
        appendTask(out, task);
        return out.toString();
    }

    /**
     * The records of {@code tasks}, in their order, as JSON arrays of whole records ({@code [{"i":...},...]})
     * of about {@code chunkChars} characters each (a record never split; one larger than that alone):
     * the tasks hash's image ({@link Checkpointer#writeAll}). Encoded in slices on the common pool.
     */
    static List<String> imageChunks(List<TaskRecord> tasks, int chunkChars) {
        int slice = 1_000;
        return IntStream.range(0, (tasks.size() + slice - 1) / slice).parallel()
                .mapToObj(i -> {
                    List<String> chunks = new ArrayList<>();
                    JsonBytes out = new JsonBytes(chunkChars + RECORD_CHARS);
                    for (TaskRecord task : tasks.subList(i * slice, Math.min(tasks.size(), (i + 1) * slice))) {
                        out.ascii(out.isEmpty() ? '[' : ',');
                        appendTask(out, task);
                        if (out.length() >= chunkChars) {
                            chunks.add(out.ascii(']').toString());
                            out.clear();
                        }
                    }
                    if (!out.isEmpty()) {
                        chunks.add(out.ascii(']').toString());
                    }
                    return chunks;
                })
                .flatMap(List::stream)
                .toList();
    }

    /** About how many characters {@link #task(TaskRecord)} writes for {@code task} (its texts and the rest). */
    static long estimatedChars(TaskRecord task) {
        TaskSpec spec = task.spec();
        return RECORD_CHARS + length(spec.payload()) + length(spec.description()) + length(task.result())
                + length(task.message()) + length(task.error()) + (task.attempts() == null ? 0 : 64L * task.attempts().size());
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    /** The records of an image chunk ({@link #imageChunks}), from its UTF-8 bytes. */
    static List<TaskRecord> imageChunk(byte[] json) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("not an array");
            }
            List<TaskRecord> tasks = new ArrayList<>();
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                tasks.add(readTask(parser, false));
            }
            return tasks;
        } catch (IOException | RuntimeException e) {
            throw unreadable("image chunk", e);
        }
    }

    /**
     * The names, in the order written: the spec ({@code i} id, {@code t} type, {@code d}
     * description, {@code p} priority, {@code pl} payload, {@code do} depends on, {@code sm} its
     * max retries, {@code sr} its run at, {@code rf} run on dependency failure), then {@code mr}
     * max retries, {@code c} created at, {@code s} status, {@code l} level, {@code ra} run at,
     * {@code a} attempt, {@code f} failures, {@code x} expiries, {@code pg} progress, {@code m}
     * message, {@code r} result, {@code e} error, {@code sa} started at, {@code ca} completed at,
     * {@code li} lease id, {@code ag} assigned agent, {@code cr} cancel requested, {@code el}
     * ended lease id, {@code ec} ended by complete, {@code ya} ready at, {@code ys} ready seq, {@code at}
     * attempts, {@code dp} dependents; in the spec also {@code cb} callback URL, {@code rk} rate key,
     * {@code co} cost (when not 1), {@code ck} concurrency key.
     */
    private static void appendTask(JsonBytes out, TaskRecord t) {
        TaskSpec spec = t.spec();
        out.ascii("{\"i\":");
        out.string(spec.id());
        text(out, "t", spec.type());
        text(out, "d", spec.description());
        out.ascii(",\"p\":\"").ascii(spec.priority().name()).ascii('"');
        text(out, "pl", spec.payload());
        strings(out, "do", spec.dependsOn());
        number(out, "sm", spec.maxRetries());
        number(out, "sr", spec.runAt());
        flag(out, "rf", spec.runOnDependencyFailure());
        text(out, "cb", spec.callbackUrl());
        text(out, "rk", spec.rateKey());
        if (spec.cost() != null && spec.cost() != 1) {
            number(out, "co", spec.cost());
        }
        text(out, "ck", spec.concurrencyKey());
        number(out, "mr", t.maxRetries());
        number(out, "c", t.createdAt());
        out.ascii(",\"s\":\"").ascii(t.status().name()).ascii('"');
        if (t.level() != spec.priority()) {
            out.ascii(",\"l\":\"").ascii(t.level().name()).ascii('"');
        }
        appendState(out, t);
    }

    /**
     * A journal record without what never changes in a task's life (the spec, {@code mr} and
     * {@code c}): {@code "sl":1} says so, and the level is always there (the priority it is
     * compared with is in the spec). About half a record with a small payload; none of the payload.
     */
    private static void appendSlim(JsonBytes out, TaskRecord t) {
        out.ascii("{\"i\":");
        out.string(t.spec().id());
        out.ascii(",\"sl\":1,\"s\":\"").ascii(t.status().name()).ascii("\",\"l\":\"").ascii(t.level().name()).ascii('"');
        appendState(out, t);
    }

    /** What changes in a task's life, and its closing brace. */
    private static void appendState(JsonBytes out, TaskRecord t) {
        number(out, "ra", t.runAt());
        number(out, "a", t.attempt());
        number(out, "f", t.failures());
        number(out, "x", t.expiries());
        number(out, "pg", t.progress());
        text(out, "m", t.message());
        text(out, "r", t.result());
        text(out, "e", t.error());
        number(out, "sa", t.startedAt());
        number(out, "ca", t.completedAt());
        text(out, "li", t.leaseId());
        text(out, "ag", t.assignedAgent());
        flag(out, "cr", t.cancelRequested());
        text(out, "el", t.endedLeaseId());
        flag(out, "ec", t.endedByComplete());
        number(out, "ya", t.readyAt());
        number(out, "ys", t.readySeq());
        if (t.attempts().size() == 1 && t.attempts().get(0).equals(onlyRun(t.status(), t.assignedAgent(), t.startedAt(),
                t.completedAt(), t.error()))) {
            out.ascii(",\"at\":").number(ONLY_RUN);
        } else if (!t.attempts().isEmpty()) {
            attempts(out.ascii(",\"at\":"), t.attempts());
        }
        strings(out, "dp", t.dependents());
        out.ascii('}');
    }

    /**
     * The one run of a task that ended at its first run, as the record's own fields tell it (who
     * ran it, when it started and ended, the end its status names, the error): what most finished
     * tasks hold (the error is the run's only when it failed: a cancelled task's tells why it was
     * cancelled). A record whose runs are exactly that writes {@code "at":1} (ONLY_RUN) instead of
     * the list, about 120 bytes less per finished task in the journal and in its retained key.
     * Null when the status names no end of a run.
     */
    private static TaskAttempt onlyRun(TaskStatus status, String agent, Long startedAt, Long completedAt, String error) {
        TaskAttempt.Outcome outcome = switch (status) {
            case COMPLETED -> TaskAttempt.Outcome.COMPLETED;
            case FAILED -> TaskAttempt.Outcome.FAILED;
            case CANCELLED -> TaskAttempt.Outcome.CANCELLED;
            default -> null;
        };
        if (outcome == null || startedAt == null || completedAt == null) {
            return null;
        }
        return new TaskAttempt(1, agent, startedAt, completedAt, outcome, status == TaskStatus.FAILED ? error : null);
    }

    /** The runs as the mapper writes them (and reads them back: {@code ATTEMPTS}), without its reflection. */
    private static void attempts(JsonBytes out, List<TaskAttempt> attempts) {
        out.ascii('[');
        for (int i = 0; i < attempts.size(); i++) {
            TaskAttempt a = attempts.get(i);
            out.ascii(i == 0 ? "" : ",").ascii("{\"attempt\":").number(a.attempt()).ascii(",\"agent\":");
            nullable(out, a.agent());
            out.ascii(",\"startedAt\":").number(a.startedAt()).ascii(",\"endedAt\":");
            if (a.endedAt() == null) {
                out.ascii("null");
            } else {
                out.number(a.endedAt());
            }
            out.ascii(",\"outcome\":");
            nullable(out, a.outcome() == null ? null : a.outcome().name());
            out.ascii(",\"error\":");
            nullable(out, a.error());
            out.ascii('}');
        }
        out.ascii(']');
    }

    private static void nullable(JsonBytes out, String value) {
        if (value == null) {
            out.ascii("null");
        } else {
            out.string(value);
        }
    }

    private static void strings(JsonBytes out, String name, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        out.ascii(",\"").ascii(name).ascii("\":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.ascii(',');
            }
            out.string(values.get(i));
        }
        out.ascii(']');
    }

    private static void text(JsonBytes out, String name, String value) {
        if (value != null) {
            out.ascii(",\"").ascii(name).ascii("\":");
            out.string(value);
        }
    }

    private static void number(JsonBytes out, String name, long value) {
        if (value != 0) {
            out.ascii(",\"").ascii(name).ascii("\":").number(value);
        }
    }

    private static void number(JsonBytes out, String name, Number value) {
        if (value != null) {
            out.ascii(",\"").ascii(name).ascii("\":").number(value.longValue());
        }
    }

    private static void flag(JsonBytes out, String name, boolean value) {
        if (value) {
            out.ascii(",\"").ascii(name).ascii("\":true");
        }
    }

    /** Agents and type settings, and (in tests) the format written before: the mapper. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A task record in either format. */
    static TaskRecord task(String json) {
        if (!json.startsWith("{\"i\":")) {
            return read(json, TaskRecord.class);
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            parser.nextToken();
            return readTask(parser, false);
        } catch (IOException | RuntimeException e) {
            throw unreadable("TaskRecord", e);
        }
    }

    /** A task record in either format, from its UTF-8 bytes (recovery reads a million of them). */
    static TaskRecord task(byte[] json) {
        if (!startsWith(json, COMPACT_TASK)) {
            try {
                return MAPPER.readValue(json, TaskRecord.class);
            } catch (IOException e) {
                throw unreadable("TaskRecord", e);
            }
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            parser.nextToken();
            return readTask(parser, false);
        } catch (IOException | RuntimeException e) {
            throw unreadable("TaskRecord", e);
        }
    }

    /** A journal entry in either format, from its UTF-8 bytes: what recovery applies of it, in seq order. */
    static List<Replayed> journal(byte[] json) {
        if (json.length == 0 || json[0] != '[') {
            try {
                return MAPPER.readValue(json, Batch.class).events().stream().map(Replayed::of).toList();
            } catch (IOException e) {
                throw unreadable("Batch", e);
            }
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            return readEvents(parser);
        } catch (IOException | RuntimeException e) {
            throw unreadable("journal entry", e);
        }
    }

    private static final byte[] COMPACT_TASK = "{\"i\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean startsWith(byte[] text, byte[] prefix) {
        return text.length >= prefix.length && java.util.Arrays.equals(text, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** A journal entry in either format: what recovery applies of it, in seq order. */
    static List<Replayed> journal(String json) {
        if (!json.startsWith("[")) {
            return read(json, Batch.class).events().stream().map(Replayed::of).toList();
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            return readEvents(parser);
        } catch (IOException | RuntimeException e) {
            throw unreadable("journal entry", e);
        }
    }

    private static List<Replayed> readEvents(JsonParser parser) throws IOException {
        List<Replayed> events = new ArrayList<>();
        parser.nextToken();
        while (parser.nextToken() == JsonToken.START_OBJECT) {
            events.add(readEvent(parser));
        }
        return events;
    }

    private static Replayed readEvent(JsonParser p) throws IOException {
        long seq = 0;
        EventType type = null;
        String agentId = null;
        TaskRecord task = null;
        AgentRecord agent = null;
        TypeSettings settings = null;
        ScheduleRecord schedule = null;
        LimitSettings limit = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "s" -> seq = p.getLongValue();
                case "r" -> task = readTask(p, true);
                case "k" -> type = EventType.valueOf(p.getText());
                case "g" -> agentId = text(p);
                case "a" -> agent = MAPPER.readValue(p, AgentRecord.class);
                case "ts" -> settings = MAPPER.readValue(p, TypeSettings.class);
                case "sc" -> schedule = MAPPER.readValue(p, ScheduleRecord.class);
                case "lm" -> limit = MAPPER.readValue(p, LimitSettings.class);
                default -> p.skipChildren();
            }
        }
        return new Replayed(seq, type, agentId, task, agent, settings, schedule, limit);
    }

    /** A record, whole or (where {@code slimAllowed}: a journal's) slim: see {@link #isSlim}. */
    private static TaskRecord readTask(JsonParser p, boolean slimAllowed) throws IOException {
        boolean slim = false;
        String id = null, type = null, description = null, payload = null;
        Priority priority = null, level = null;
        List<String> dependsOn = List.of(), dependents = List.of();
        List<TaskAttempt> attempts = List.of();
        String callbackUrl = null, rateKey = null, concurrencyKey = null;
        Integer cost = null;
        Integer specMaxRetries = null;
        Long specRunAt = null, runAt = null, startedAt = null, completedAt = null;
        boolean runOnDependencyFailure = false, cancelRequested = false, endedByComplete = false;
        int maxRetries = 0, attempt = 0, failures = 0, expiries = 0, progress = 0;
        long createdAt = 0, readyAt = 0, readySeq = 0;
        TaskStatus status = null;
        String message = null, result = null, error = null, leaseId = null, assignedAgent = null, endedLeaseId = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (name) {
                case "i" -> id = p.getText();
                case "t" -> type = p.getText();
                case "d" -> description = p.getText();
                case "p" -> priority = Priority.valueOf(p.getText());
                case "pl" -> payload = p.getText();
                case "do" -> dependsOn = strings(p);
                case "dp" -> dependents = strings(p);
                case "at" -> attempts = value == JsonToken.VALUE_NUMBER_INT ? onlyRunMarker(p) : MAPPER.readValue(p, ATTEMPTS);
                case "cb" -> callbackUrl = p.getText();
                case "rk" -> rateKey = p.getText();
                case "co" -> cost = p.getIntValue();
                case "ck" -> concurrencyKey = p.getText();
                case "sm" -> specMaxRetries = p.getIntValue();
                case "sr" -> specRunAt = p.getLongValue();
                case "rf" -> runOnDependencyFailure = p.getBooleanValue();
                case "mr" -> maxRetries = p.getIntValue();
                case "c" -> createdAt = p.getLongValue();
                case "s" -> status = TaskStatus.valueOf(p.getText());
                case "l" -> level = Priority.valueOf(p.getText());
                case "ra" -> runAt = p.getLongValue();
                case "a" -> attempt = p.getIntValue();
                case "f" -> failures = p.getIntValue();
                case "x" -> expiries = p.getIntValue();
                case "pg" -> progress = p.getIntValue();
                case "m" -> message = p.getText();
                case "r" -> result = p.getText();
                case "e" -> error = p.getText();
                case "sa" -> startedAt = p.getLongValue();
                case "ca" -> completedAt = p.getLongValue();
                case "li" -> leaseId = p.getText();
                case "ag" -> assignedAgent = p.getText();
                case "cr" -> cancelRequested = p.getBooleanValue();
                case "el" -> endedLeaseId = p.getText();
                case "ec" -> endedByComplete = p.getBooleanValue();
                case "ya" -> readyAt = p.getLongValue();
                case "ys" -> readySeq = p.getLongValue();
                case "sl" -> slim = true;
                default -> p.skipChildren();
            }
        }
        if (id == null || status == null) {
            throw new IllegalArgumentException("a task record without " + (id == null ? "an id" : "a status"));
        }
        if (slim ? !slimAllowed || type != null : type == null) {
            throw new IllegalArgumentException(slim && slimAllowed ? "a slim task record with a type"
                    : slim ? "a slim task record outside the journal" : "a task record without a type");
        }
        if (attempts == null) {
            TaskAttempt only = onlyRun(status, assignedAgent, startedAt, completedAt, error);
            if (only == null) {
                throw new IllegalArgumentException("a task record whose only run (\"at\":" + ONLY_RUN
                        + ") is not told by its fields: status " + status + ", started at " + startedAt + ", ended at " + completedAt);
            }
            attempts = List.of(only);
        }
        TaskSpec spec = new TaskSpec(id, type, description, priority, payload, dependsOn, specMaxRetries, specRunAt,
                runOnDependencyFailure, callbackUrl, rateKey, cost, concurrencyKey);
        return new TaskRecord(spec, maxRetries, createdAt, status, level == null ? spec.priority() : level, runAt, attempt,
                failures, expiries, progress, message, result, error, startedAt, completedAt, leaseId, assignedAgent,
                cancelRequested, endedLeaseId, endedByComplete, readyAt, readySeq, attempts, dependents);
    }

    /**
     * A journal record written slim ({@link #appendSlim}): its spec holds only the id (no type,
     * which every whole record has), its max retries and creation time are 0; recovery completes
     * it from an earlier record of the task ({@link #withSpecOf}).
     */
    static boolean isSlim(TaskRecord record) {
        return record.spec().type() == null;
    }

    /** {@code slim} completed with what never changes in a task's life, from {@code earlier}: any record of the same task. */
    static TaskRecord withSpecOf(TaskRecord slim, TaskRecord earlier) {
        return new TaskRecord(earlier.spec(), earlier.maxRetries(), earlier.createdAt(), slim.status(), slim.level(),
                slim.runAt(), slim.attempt(), slim.failures(), slim.expiries(), slim.progress(), slim.message(),
                slim.result(), slim.error(), slim.startedAt(), slim.completedAt(), slim.leaseId(), slim.assignedAgent(),
                slim.cancelRequested(), slim.endedLeaseId(), slim.endedByComplete(), slim.readyAt(), slim.readySeq(),
                slim.attempts(), slim.dependents());
    }

    /** {@code "at":1}: the runs are the one its fields tell, made once they are all read (null until then). */
    private static List<TaskAttempt> onlyRunMarker(JsonParser p) throws IOException {
        if (p.getIntValue() != ONLY_RUN) {
            throw new IllegalArgumentException("a task record with \"at\":" + p.getText() + "; a number there is " + ONLY_RUN);
        }
        return null;
    }

    private static List<String> strings(JsonParser p) throws IOException {
        List<String> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            values.add(p.getText());
        }
        return values;
    }

    private static String text(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
    }

    static TypeSettings typeSettings(String json) {
        return read(json, TypeSettings.class);
    }

    static Outbox.Delivery delivery(String json) {
        return read(json, Outbox.Delivery.class);
    }

    static ScheduleRecord schedule(String json) {
        return read(json, ScheduleRecord.class);
    }

    static LimitSettings limit(String json) {
        return read(json, LimitSettings.class);
    }

    static AgentRecord agent(String json) {
        return read(json, AgentRecord.class);
    }

    /** For tests: a journal entry in the format Baton wrote before the compact one. */
    static Batch batch(String json) {
        return read(json, Batch.class);
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("unreadable " + type.getSimpleName() + " in Redis: " + e.getOriginalMessage(), e);
        }
    }

    private static UncheckedIOException unreadable(String what, Exception e) {
        String why = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.toString();
        return new UncheckedIOException("unreadable " + what + " in Redis: " + why,
                e instanceof IOException io ? io : new IOException(e));
    }
}
