package dev.baton.store;

import dev.baton.engine.TaskEvent;
import java.util.List;

/**
 * Redis pub/sub in journal mode (docs/redis.md): the notifications of the events a journal entry
 * carries go with it, published by the same script call once the entry is appended. A subscriber
 * hears of a change once it is durable, in the journal's order, and the notifications cost Redis no
 * call of their own and Baton no wake-up for its answer.
 */
public interface JournalNotices {

    /** Adds channel, message, channel, message, ... for {@code events} to {@code into}; on the journal's event loop. */
    void messages(List<TaskEvent> events, List<String> into);

    /**
     * The write that carried the messages of {@code events} was applied ({@code failure} null: they
     * went out), or not all of them went out and never will: Redis refused some (an ACL without
     * their channel; the entry is written all the same), a whole-state write took the place of their
     * entry, or this Baton stepped down.
     */
    void sent(List<TaskEvent> events, Throwable failure);

    /**
     * Every channel the messages go to: names, and patterns with {@code *} ({@code task:*:events}).
     * With them, the journal holds an entry's messages back while nobody could hear them (Redis
     * checks that in the same call that appends the entry), and sends them from the moment someone
     * could. Empty (the default): not known, every message is sent.
     */
    default List<String> channels() {
        return List.of();
    }
}
