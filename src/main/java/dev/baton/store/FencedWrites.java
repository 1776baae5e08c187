package dev.baton.store;

import io.vertx.mutiny.redis.client.Response;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every state-changing write of the store goes through here, each checked in Redis against the
 * writer's epoch (the fence) in the same script that writes: once another Baton has taken the
 * writer lease (and with it a higher epoch), this one's writes change nothing and fail with
 * {@link FencedException}.
 */
final class FencedWrites {

    private final RedisCalls redis;
    private final RedisKeys keys;
    private volatile long epoch;

    FencedWrites(RedisCalls redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    long epoch() {
        return epoch;
    }

    void epoch(long value) {
        epoch = value;
    }

    /** Commands to run together in one fenced script. */
    static final class Commands {
        /** Texts, and values that go to Redis as the bytes they are (a task's record: no string made of it). */
        private final List<Object> words = new ArrayList<>();
        private int count;

        /** One command, as its words: each a {@code String} or a {@code byte[]}. */
        Commands add(List<?> command) {
            words.add(Integer.toString(command.size()));
            words.addAll(command);
            count++;
            return this;
        }

        Commands add(Object... command) {
            return add(List.of(command));
        }

        boolean isEmpty() {
            return count == 0;
        }
    }

    /** Runs the commands atomically if this writer's epoch is still current; else changes nothing. */
    void run(Commands commands) {
        if (commands.isEmpty()) {
            return;
        }
        check(RedisScript.FENCED.run(redis, Collections.singletonList(keys.epoch()), args(commands)));
    }

    private List<Object> args(Commands commands) {
        List<Object> args = new ArrayList<>(commands.words.size() + 1);
        args.add(Long.toString(epoch));
        args.addAll(commands.words);
        return args;
    }

    /** Fenced calls sent without waiting for each answer, at most {@code window} unanswered at once; see {@link Pipeline}. */
    Pipeline pipeline(int window) {
        return new Pipeline(window);
    }

    /**
     * Fenced calls, each run as {@link #run} runs one, sent one after another without waiting for
     * the answer to the one before, at most {@code window} unanswered at once: a checkpoint of many
     * chunks costs one round trip per window, not one per chunk, while each chunk still holds Redis
     * only as long as it runs. The calls may run in any order (they may go out on different pooled
     * connections): each must stand on its own. After a failure nothing more is sent, and the
     * failure is thrown only once no call is unanswered, so nothing lands after the caller has
     * gone on to its next step.
     */
    final class Pipeline {
        private final int window;
        /** The calls sent and not answered yet, oldest first, each with when it was sent ({@link System#nanoTime}). */
        private final ArrayDeque<Sent> unanswered = new ArrayDeque<>();
        private RuntimeException failure;

        private Pipeline(int window) {
            if (window < 1) {
                throw new IllegalArgumentException("window " + window);
            }
            this.window = window;
        }

        /** Sends a call; waits first for the oldest answer when {@code window} are unanswered. Throws a failure seen so far. */
        void send(Commands commands) {
            if (failure == null && !commands.isEmpty()) {
                unanswered.add(new Sent(RedisScript.FENCED.runAsync(redis, Collections.singletonList(keys.epoch()), args(commands)),
                        System.nanoTime()));
            }
            while (unanswered.size() >= window || (failure != null && !unanswered.isEmpty())) {
                awaitOldest();
            }
            if (failure != null) {
                throw failure;
            }
        }

        /** Waits for every answer; throws the first failure. */
        void finish() {
            while (!unanswered.isEmpty()) {
                awaitOldest();
            }
            if (failure != null) {
                throw failure;
            }
        }

        /** Each call waits at most the calls' timeout from when it was sent, so a hung Redis fails a window in one timeout. */
        private void awaitOldest() {
            Sent oldest = unanswered.poll();
            try {
                check(redis.await(oldest.answer(), oldest.sentNanos()));
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
    }

    private record Sent(io.vertx.core.Future<io.vertx.redis.client.Response> answer, long sentNanos) {
    }

    /**
     * The pub/sub part of a journal write: the entry's {@code messages} (channel, message pairs),
     * or none when they are {@code held} back; and the {@code channels} they go to (names, or
     * patterns with {@code *}), empty when not to be checked. With the channels, Redis says whether
     * anyone could hear a message on them; held messages are then only not sent if nobody could.
     */
    record PubSub(List<String> messages, boolean held, List<String> channels) {
        static final PubSub NONE = new PubSub(List.of(), false, List.of());
    }

    /**
     * How a journal write went, when the entry is there (appended now, or by an earlier attempt
     * that had been applied after all) or was not written because its held messages could be heard
     * ({@code heard}: send it again with them). {@code refusal} is null, or what Redis said when it
     * refused some messages (a PUBLISH the ACL denies: the entry is there all the same).
     * {@code quiet}: nobody listens on the channels asked about; {@code unknowable}: Redis does not
     * let this user ask ({@code INFO} or {@code PUBSUB} not allowed).
     */
    record Appended(String refusal, boolean quiet, boolean heard, boolean unknowable) {
    }

    /**
     * Appends a journal entry on top of {@code previousId} (what this writer appended last, or
     * "" when none since the journal was last written whole), with {@code outbox} (field, value
     * pairs) into the webhook outbox and the {@code pubSub} messages published: the future completes
     * as {@link Appended} says, or fails with {@link RedisBehindException} or {@link FencedException}.
     */
    io.vertx.core.Future<Appended> appendJournalAsync(String previousId, String id, byte[] entry, List<String> outbox,
            PubSub pubSub) {
        return RedisScript.JOURNAL.runAsync(redis, journalKeys(), journalArgs(previousId, id, entry, outbox, pubSub)).map(answer -> {
            checkAppended(answer);
            String outcome = answer.get(0).toString();
            if ("heard".equals(outcome)) {
                return new Appended(null, false, true, false);
            }
            if (!"ok".equals(outcome) || answer.size() < 4) {
                return new Appended(null, false, false, false); // a 'dup': it went out with the write that appended it
            }
            String refusal = answer.get(1).toLong() == 0 ? null
                    : answer.get(1).toLong() + " of the " + pubSub.messages().size() / 2
                            + " pub/sub messages of a journal entry were refused: " + answer.get(2);
            long quiet = answer.get(3).toLong();
            return new Appended(refusal, quiet == 1, false, quiet == -1);
        });
    }

    private List<String> journalKeys() {
        return List.of(keys.epoch(), keys.journal(), keys.journalTop(), keys.webhooks());
    }

    /** The script's arguments: texts, and the entry as its bytes. */
    private List<Object> journalArgs(String previousId, String id, byte[] entry, List<String> outbox, PubSub pubSub) {
        List<Object> args = new ArrayList<>(7 + outbox.size() + pubSub.channels().size() + pubSub.messages().size());
        args.add(Long.toString(epoch));
        args.add(previousId);
        args.add(id);
        args.add(entry);
        args.add(Integer.toString(outbox.size()));
        args.add(Integer.toString(pubSub.channels().size()));
        args.add(pubSub.held() ? "held" : "sent");
        args.addAll(outbox);
        args.addAll(pubSub.channels());
        args.addAll(pubSub.messages());
        return args;
    }

    private void checkAppended(io.vertx.redis.client.Response answer) {
        if ("behind".equals(answer.get(0).toString())) {
            throw new RedisBehindException("the journal in Redis is not where this Baton left it: " + answer.get(2));
        }
        check(answer);
    }

    private void check(Response answer) {
        check(answer.getDelegate());
    }

    private void check(io.vertx.redis.client.Response answer) {
        if ("fenced".equals(answer.get(0).toString())) {
            throw new FencedException(epoch, answer.get(1).toString());
        }
    }

    /** A write refused: Redis holds another epoch than this writer's. */
    static final class FencedException extends RuntimeException {
        private final boolean redisBehind;

        FencedException(long mine, String current) {
            super("refused: Redis holds writer epoch " + (current.isEmpty() ? "none" : current) + ", this Baton's is " + mine,
                    null, false, false);
            long theirs;
            try {
                theirs = current.isEmpty() ? 0 : Long.parseLong(current);
            } catch (NumberFormatException e) {
                theirs = 0;
            }
            this.redisBehind = theirs < mine;
        }

        /** True when Redis holds an older epoch or none (it lost data); false when another writer took over. */
        boolean redisBehind() {
            return redisBehind;
        }
    }

    /** Redis holds less (or other) than this writer wrote: it lost data, the whole state must be written again. */
    static final class RedisBehindException extends RuntimeException {
        RedisBehindException(String message) {
            super(message, null, false, false);
        }
    }
}
