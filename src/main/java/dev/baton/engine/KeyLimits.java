package dev.baton.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Budgets per key: a token bucket per {@code rate_key} and a running count per
 * {@code concurrency_key}, each under the most specific limit whose pattern matches the key
 * ({@link LimitSettings}: the configured ones, overlaid by the runtime ones).
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li><b>Buckets</b> count credit in cost units × window millis, so a refill is one multiply and
 *   nothing rounds: {@code rate} credit per millisecond, {@code burst × window} at most. A task
 *   costing more than the burst runs when the bucket is full and leaves it in debt.</li>
 *   <li><b>Holding.</b> A ready task whose bucket cannot pay for it leaves its lane for the
 *   bucket's holding queue ({@link RateBucket#held}), in ready order, so claims never look at it again
 *   until its budget returns: no scan, no busy loop, and the tasks behind it in its lane are
 *   handed out meanwhile. The bucket goes on a refill timer for when its credit covers the cost of
 *   its tasks still in lanes plus the first held one; the timer moves as many held tasks back to
 *   the front of their lanes as the credit covers (one at least), in their order.</li>
 *   <li><b>Concurrency keys.</b> A key at its cap takes its lanes off their deques' round-robin
 *   rings; the end of one of its runs puts them back, and the dispatcher feeds parked claims. A
 *   limit with an {@code adaptive} cap gives each key it governs its own {@link AdaptiveLimit},
 *   moved by that key's runs only ({@link #adapt}); the key's cap is the lower of it and
 *   {@code max_running}, and a rise puts the lanes back as a run's end does.</li>
 *   <li>A key's state lives while live tasks name it (a bucket also until it is full again: a
 *   refill timer forgets it then), its adaptive cap with it: a key that comes back after an idle
 *   spell starts again at the ceiling;
 *   a limit changed at runtime re-resolves every key in use (O(keys), a rare operator call).</li>
 * </ul>
 * Not thread-safe: used under the coordinator's lock.
 */
final class KeyLimits {

    private record Refill(long at, int stamp, RateBucket bucket) implements Comparable<Refill> {
        @Override
        public int compareTo(Refill other) {
            return Long.compare(at, other.at);
        }
    }

    private final KeyPatterns patterns;
    private final Map<String, RateBucket> buckets = new HashMap<>();
    private final Map<String, KeySlots> slots = new HashMap<>();
    private final PriorityQueue<Refill> refills = new PriorityQueue<>();
    /** Types whose tasks a refill or a freed key slot made claimable, for the dispatcher to feed parked claims. */
    private final List<String> freed = new ArrayList<>();

    KeyLimits(Map<String, LimitSettings> configured) {
        this.patterns = new KeyPatterns(configured);
    }

    // ---------------------------------------------------------------------------------------
    // Tasks

    /** A task that may run names its keys' states. */
    void attach(Task task, long now) {
        String rateKey = task.spec.rateKey();
        if (rateKey != null) {
            RateBucket bucket = buckets.get(rateKey); // get, then put when new: no capturing lambda per task
            if (bucket == null) {
                bucket = newBucket(rateKey, now);
                buckets.put(rateKey, bucket);
            }
            bucket.tasks++;
            task.rate = bucket;
        }
        String concurrencyKey = task.spec.concurrencyKey();
        if (concurrencyKey != null) {
            KeySlots own = slots.get(concurrencyKey); // get, then put when new: no capturing lambda per task
            if (own == null) {
                own = newSlots(concurrencyKey, now);
                slots.put(concurrencyKey, own);
            }
            own.tasks++;
            task.conc = own;
        }
    }

    /** The task ended: its keys forget it, and a key no live task names is dropped. */
    void detach(Task task, long now) {
        RateBucket bucket = task.rate;
        if (bucket != null) {
            task.rate = null;
            if (--bucket.tasks == 0 && bucket.held.isEmpty()) {
                if (RateBucket.full(bucket, now)) {
                    forget(bucket);
                } else {
                    arm(bucket, now); // forgotten when its refill fills it, so unused keys do not pile up
                }
            }
        }
        KeySlots own = task.conc;
        if (own != null) {
            task.conc = null;
            if (--own.tasks == 0) {
                for (Lane lane : own.lanes) {
                    lane.queue.drop(lane);
                }
                slots.remove(own.key);
            }
        }
    }

    /** The task's bucket can pay for it now. */
    boolean affords(Task task, long now) {
        RateBucket bucket = task.rate;
        if (bucket == null || bucket.rule == null) {
            return true;
        }
        RateBucket.refresh(bucket, now);
        long need = task.cost * bucket.window();
        return bucket.credit >= need || task.cost > bucket.burst() && bucket.credit >= bucket.capacity();
    }

    /** May go straight to a parked claim: nothing of its rate key held before it, budget and a key slot free. */
    boolean admits(Task task, long now) {
        return (task.rate == null || task.rate.held.isEmpty() && affords(task, now))
                && (task.conc == null || !task.conc.full());
    }

    /** A ready task its bucket cannot pay for leaves its lane (the caller took it out) to wait for the refill. */
    void hold(Task task, long now) {
        RateBucket bucket = task.rate;
        if (!bucket.held.isEmpty() && task.readySeq < bucket.held.head().readySeq) {
            bucket.held.addFirst(task);
        } else {
            bucket.held.addLast(task);
        }
        arm(bucket, now);
    }

    /** A held task leaves (cancelled while waiting on its budget). */
    void unhold(Task task, long now) {
        task.rate.held.remove(task);
        arm(task.rate, now);
    }

    /** The task was handed out: its bucket pays, its key counts one more run. */
    void started(Task task, long now) {
        RateBucket bucket = task.rate;
        if (bucket != null) {
            bucket.spent += task.cost;
            if (bucket.rule != null) {
                RateBucket.refresh(bucket, now);
                bucket.credit -= task.cost * bucket.window();
                arm(bucket, now);
            }
        }
        KeySlots own = task.conc;
        if (own != null) {
            own.running++;
            if (own.full()) {
                settleLanes(own);
            }
        }
    }

    /** A run ended: its key has a slot again. */
    void ended(Task task) {
        KeySlots own = task.conc;
        if (own != null) {
            boolean wasFull = own.full();
            own.running--;
            if (wasFull && !own.full()) {
                settleLanes(own);
                addFreed(own);
            }
        }
    }

    /**
     * A run of the key ended (completed, failed, expired; {@link #ended} already gave its slot back):
     * the key's adaptive cap, if any, learns how. A cap that rose lets the key's lanes out again
     * (parked claims are fed with the freed types); one that fell holds them while the key is at it.
     * Answers whether the whole cap moved. A key already dropped (no live task names it) learns nothing.
     */
    boolean adapt(KeySlots own, long startedAt, boolean failed, long now) {
        if (own.adaptive == null || own.tasks == 0) {
            return false;
        }
        boolean wasFull = own.full();
        if (!own.adaptive.runEnded(startedAt, now, failed, own.running + 1)) {
            return false;
        }
        if (wasFull != own.full()) {
            settleLanes(own);
            if (wasFull) {
                addFreed(own);
            }
        }
        return true;
    }

    /** A recovered running task counts on its key again. */
    void restoreRunning(Task task) {
        if (task.conc != null) {
            task.conc.running++;
        }
    }

    /** The cost of a task of this bucket entering or leaving a lane. */
    static void queued(Task task, int sign) {
        if (task.rate != null) {
            task.rate.queuedCost += sign * (long) task.cost;
        }
    }

    /** Refill timers due by {@code now}: held tasks the credit now covers go back to their lanes. */
    void releaseDue(long now) {
        for (Refill due = refills.peek(); due != null && due.at <= now; due = refills.peek()) {
            refills.poll();
            RateBucket bucket = due.bucket;
            if (due.stamp != bucket.stamp) {
                continue;
            }
            bucket.armedAt = Long.MAX_VALUE;
            if (bucket.tasks == 0 && bucket.held.isEmpty() && RateBucket.full(bucket, now)) {
                forget(bucket);
                continue;
            }
            release(bucket, now);
            arm(bucket, now);
        }
    }

    /** When the next refill timer comes due (a void one included), {@link Long#MAX_VALUE} when none is armed. */
    long nextRefill() {
        Refill next = refills.peek();
        return next == null ? Long.MAX_VALUE : next.at;
    }

    /** A bucket no task names and full again: its key is forgotten (a new task of it starts a full bucket, as this one is). */
    private void forget(RateBucket bucket) {
        buckets.remove(bucket.key);
        bucket.stamp++;
        bucket.armedAt = Long.MAX_VALUE;
    }

    /** The types a refill or a freed key made claimable since the last call; the caller feeds their parked claims. */
    List<String> takeFreed() {
        if (freed.isEmpty()) {
            return List.of();
        }
        List<String> types = new ArrayList<>(freed);
        freed.clear();
        return types;
    }

    /** The limit the task waits on while ready: its rate key (held) or its concurrency key (at its cap), else null. */
    static String waitingOn(Task task) {
        if (task.rate != null && task.chain == task.rate.held) {
            return task.rate.key;
        }
        return task.conc != null && task.conc.full() && task.chain == task.lane ? task.conc.key : null;
    }

    int heldTotal() {
        int held = 0;
        for (RateBucket bucket : buckets.values()) { // once a second for the gauge: counted, not kept, so it cannot drift
            held += bucket.held.size();
        }
        return held;
    }

    /** Queued tasks whose concurrency key is at its cap (O(keys): for figures). */
    int cappedTotal() {
        int capped = 0;
        for (KeySlots own : slots.values()) {
            if (own.full()) {
                for (Lane lane : own.lanes) {
                    capped += lane.size();
                }
            }
        }
        return capped;
    }

    /** The running cap in effect per key with an adaptive cap, in key order, at most {@code max} keys (O(keys): for metrics). */
    Map<String, Integer> adaptiveCaps(int max) {
        TreeMap<String, Integer> caps = new TreeMap<>();
        for (KeySlots own : slots.values()) {
            if (own.adaptive != null) {
                caps.put(own.key, own.cap());
                if (caps.size() > max) {
                    caps.pollLastEntry();
                }
            }
        }
        return caps;
    }

    /** Every held task, for the invariant checker and snapshots. */
    void forEachHeld(java.util.function.Consumer<Task> action) {
        for (RateBucket bucket : buckets.values()) {
            for (Task t = bucket.held.head(); t != null; t = t.next) {
                action.accept(t);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Settings

    /** An operator's limit replaces the pattern's previous one; an empty one restores the configured limit. */
    void set(LimitSettings settings, long now) {
        patterns.set(settings);
        for (RateBucket bucket : buckets.values()) {
            LimitSettings before = bucket.rule;
            LimitSettings after = patterns.resolve(bucket.key, true);
            if (!java.util.Objects.equals(before, after)) {
                RateBucket.refresh(bucket, now);
                RateBucket.rebase(bucket, before, after, now);
                release(bucket, now);
                arm(bucket, now);
            }
        }
        for (KeySlots own : slots.values()) {
            boolean wasFull = own.full();
            own.follow(patterns.resolve(own.key, false), now);
            settleLanes(own);
            if (wasFull && !own.full()) {
                addFreed(own);
            }
        }
    }

    KeyPatterns patterns() {
        return patterns;
    }

    /** Every limit in effect with the keys it governs now (at most {@code maxKeys} listed each). */
    List<LimitView> views(long now, int maxKeys) {
        Map<String, List<LimitView.KeyUse>> uses = new HashMap<>();
        Map<String, int[]> totals = new HashMap<>();
        for (RateBucket bucket : buckets.values()) {
            if (bucket.rule != null) {
                RateBucket.refresh(bucket, now);
                use(uses, totals, bucket.rule.key(), maxKeys, new LimitView.KeyUse(bucket.key, "rate",
                        (double) bucket.credit / bucket.window(), bucket.spent, bucket.held.size(), null, null));
            }
        }
        for (KeySlots own : slots.values()) {
            if (own.rule != null) {
                int queued = 0;
                for (Lane lane : own.lanes) {
                    queued += lane.size();
                }
                use(uses, totals, own.rule.key(), maxKeys, new LimitView.KeyUse(own.key, "concurrency", null, null,
                        own.full() ? queued : 0, own.running, own.adaptive == null ? null : own.adaptive.view()));
            }
        }
        List<LimitView> views = new ArrayList<>();
        for (LimitSettings limit : patterns.effective()) {
            List<LimitView.KeyUse> keys = uses.getOrDefault(limit.key(), List.of());
            keys = new ArrayList<>(keys);
            keys.sort((a, b) -> a.key().compareTo(b.key()));
            int[] total = totals.getOrDefault(limit.key(), new int[2]);
            views.add(new LimitView(limit, patterns.runtime(limit.key()), patterns.configured(limit.key()), total[0],
                    total[1], keys));
        }
        return views;
    }

    private static void use(Map<String, List<LimitView.KeyUse>> uses, Map<String, int[]> totals, String pattern,
            int maxKeys, LimitView.KeyUse use) {
        int[] total = totals.computeIfAbsent(pattern, p -> new int[2]);
        total[0]++;
        total[1] += use.waiting();
        List<LimitView.KeyUse> list = uses.computeIfAbsent(pattern, p -> new ArrayList<>());
        if (list.size() < maxKeys) {
            list.add(use);
        }
    }

    // ---------------------------------------------------------------------------------------

    private RateBucket newBucket(String key, long now) {
        RateBucket bucket = new RateBucket(key);
        bucket.rule(patterns.resolve(key, true));
        bucket.updatedAt = now;
        if (bucket.rule != null) {
            bucket.credit = bucket.capacity();
        }
        return bucket;
    }

    private KeySlots newSlots(String key, long now) {
        KeySlots own = new KeySlots(key);
        own.follow(patterns.resolve(key, false), now);
        return own;
    }




    /** Moves back to their lanes as many held tasks as the credit left after the lanes' own covers (one at least). */
    private void release(RateBucket bucket, long now) {
        if (bucket.held.isEmpty()) {
            return;
        }
        int count;
        if (bucket.rule == null) {
            count = bucket.held.size();
        } else {
            RateBucket.refresh(bucket, now);
            long available = bucket.credit - bucket.queuedCost * bucket.window();
            count = 0;
            for (Task t = bucket.held.head(); t != null; t = t.next) {
                long need = t.cost * bucket.window();
                boolean oversize = count == 0 && bucket.queuedCost == 0 && t.cost > bucket.burst()
                        && bucket.credit >= bucket.capacity();
                if (need > available && !oversize) {
                    break;
                }
                available -= need;
                count++;
            }
        }
        Task last = bucket.held.head();
        for (int i = 1; i < count; i++) {
            last = last.next;
        }
        for (int i = 0; i < count; i++) {
            Task previous = last.prev;
            bucket.held.remove(last);
            last.lane.queue.unhold(last);
            addFreed(last.lane.queue.type);
            last = previous;
        }
    }

    /**
     * Sets the bucket's refill timer for when its credit covers its lanes' tasks and its first held
     * one, or, when no task names it any more, for when it is full again and can be forgotten.
     */
    void arm(RateBucket bucket, long now) {
        long at = Long.MAX_VALUE;
        if (bucket.tasks == 0 && bucket.held.isEmpty()) {
            at = bucket.rule == null || bucket.credit >= bucket.capacity() ? now
                    : now + (bucket.capacity() - bucket.credit + bucket.rate() - 1) / bucket.rate();
        } else if (!bucket.held.isEmpty()) {
            if (bucket.rule == null) {
                at = now;
            } else {
                long cost = bucket.held.head().cost;
                long wanted = bucket.queuedCost + cost;
                if (wanted <= bucket.burst() || bucket.queuedCost == 0) {
                    long target = Math.min(wanted * bucket.window(), bucket.capacity());
                    long gap = target - bucket.credit;
                    long rate = bucket.rate();
                    at = gap <= 0 ? now : now + (gap + rate - 1) / rate;
                } // else: the lanes' tasks spend first; their start arms it again
            }
        }
        if (at == bucket.armedAt) {
            return;
        }
        bucket.stamp++;
        bucket.armedAt = at;
        if (at != Long.MAX_VALUE) {
            refills.add(new Refill(at, bucket.stamp, bucket));
        }
    }

    private void settleLanes(KeySlots own) {
        for (Lane lane : own.lanes) {
            lane.queue.settle(lane);
        }
    }

    private void addFreed(KeySlots own) {
        for (Lane lane : own.lanes) {
            if (!lane.isEmpty()) {
                addFreed(lane.queue.type);
            }
        }
    }

    private void addFreed(String type) {
        if (!freed.contains(type)) {
            freed.add(type);
        }
    }


}
