package dev.baton.store;

import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The webhook outbox (docs/guarantees.md#webhooks): one pending delivery per task end that has a
 * callback, in the hash {@code {baton}:webhooks}, written in the same fenced step that makes the
 * end durable — the journal append in journal mode ({@code journal.lua}), the checkpoint in
 * checkpoint mode — so a durable end always has its delivery, and removed when the receiver
 * acknowledged it (or it was given up). The deliverer hears of deliveries only once they are in
 * Redis ({@link Listener#written}) and of every pending one at recovery ({@link Listener#recovered}).
 */
public final class Outbox {

    private static final int SCAN_COUNT = 1_000;
    private static final int FIELDS_PER_COMMAND = 500;

    /**
     * One pending delivery, as kept in the hash.
     *
     * @param id        unique per task end: {@code <seq>.<task id>}, the same after a restart
     * @param url       where it goes
     * @param event     the end: {@code task.completed}, {@code task.failed} or {@code task.cancelled}
     * @param createdAt when the task ended (epoch millis)
     * @param task      the task as it ended
     */
    public record Delivery(String id, String url, String event, long createdAt, TaskRecord task) {
    }

    /** Who delivers. Called on the store's and the journal's threads: only enqueue. */
    public interface Listener {
        /** These deliveries are in Redis now (a delivery may come twice). */
        void written(List<Delivery> deliveries);

        /** Recovery found these pending: all there are (after a step-down, the earlier ones are gone). */
        void recovered(List<Delivery> deliveries);

        /** This Baton stepped down: what it holds is another Baton's to deliver now. */
        void steppedDown();

        /** The deliveries not yet acknowledged, to write again when Redis lost them. */
        List<Delivery> pending();
    }

    private final RedisKeys keys;
    private final Function<TaskRecord, String> urlFor;
    private final Listener listener;

    /** {@code urlFor} names a task's callback URL, or null for none; without a listener nothing is written. */
    Outbox(RedisKeys keys, Function<TaskRecord, String> urlFor, Listener listener) {
        this.keys = keys;
        this.urlFor = urlFor;
        this.listener = listener;
    }

    /** The delivery an event asks for: a task's end whose task has a callback; else null. */
    Delivery of(TaskEvent event) {
        if (listener == null || event.task() == null || !event.task().status().isTerminal()) {
            return null;
        }
        switch (event.type()) {
            case COMPLETED, FAILED, CANCELLED -> {
                String url = urlFor.apply(event.task());
                return url == null ? null : new Delivery(event.seq() + "." + event.taskId(), url, event.type().wireName(),
                        event.at(), event.task());
            }
            default -> {
                return null;
            }
        }
    }

    List<Delivery> of(Collection<TaskEvent> events) {
        List<Delivery> deliveries = new ArrayList<>(0);
        for (TaskEvent event : events) {
            Delivery delivery = of(event);
            if (delivery != null) {
                deliveries.add(delivery);
            }
        }
        return deliveries;
    }

    /** The hash's field/value pairs for these deliveries. */
    static List<String> fields(List<Delivery> deliveries) {
        List<String> fields = new ArrayList<>(deliveries.size() * 2);
        for (Delivery delivery : deliveries) {
            fields.add(delivery.id());
            fields.add(StoreCodec.write(delivery));
        }
        return fields;
    }

    /** Adds HSETs of these deliveries to a fenced step. */
    void add(FencedWrites.Commands commands, List<Delivery> deliveries) {
        add(commands, keys, deliveries);
    }

    /** Adds HSETs of these deliveries to a fenced step (short ones: a script unpacks each onto Lua's stack). */
    static void add(FencedWrites.Commands commands, RedisKeys keys, List<Delivery> deliveries) {
        for (int from = 0; from < deliveries.size(); from += FIELDS_PER_COMMAND) {
            List<String> hset = new ArrayList<>();
            hset.add("HSET");
            hset.add(keys.webhooks());
            hset.addAll(fields(deliveries.subList(from, Math.min(deliveries.size(), from + FIELDS_PER_COMMAND))));
            commands.add(hset);
        }
    }

    /** A fenced step that removes a delivery: acknowledged, or given up. */
    FencedWrites.Commands remove(String deliveryId) {
        return new FencedWrites.Commands().add("HDEL", keys.webhooks(), deliveryId);
    }

    /** Tells the listener these deliveries are in Redis. */
    void written(List<Delivery> deliveries) {
        if (listener != null && !deliveries.isEmpty()) {
            listener.written(deliveries);
        }
    }

    /** Hands every pending delivery in Redis to the listener (at recovery). */
    void recovered(RedisCalls redis) {
        if (listener == null) {
            return;
        }
        List<Delivery> pending = new ArrayList<>();
        String cursor = "0";
        do {
            Response page = redis.send(Request.cmd(Command.HSCAN).arg(keys.webhooks()).arg(cursor).arg("COUNT").arg(SCAN_COUNT));
            cursor = page.get(0).toString();
            RedisCalls.fields(page.get(1)).values().forEach(json -> pending.add(StoreCodec.delivery(json)));
        } while (!"0".equals(cursor));
        listener.recovered(pending);
    }

    void steppedDown() {
        if (listener != null) {
            listener.steppedDown();
        }
    }

    List<Delivery> pending() {
        return listener == null ? List.of() : listener.pending();
    }
}
