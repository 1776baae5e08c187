package dev.baton.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the clients did, in the style of a Jepsen history: every call is recorded when it is
 * invoked and when it returns, as {@link Outcome#OK}, {@link Outcome#FAILED} (a definite 4xx: it
 * changed nothing) or {@link Outcome#UNKNOWN} (no answer, a timeout, a 5xx: it may or may not have
 * happened). Invocation and return draw from one counter, so "A returned before B was invoked"
 * ({@code a.returned() < b.invoked()}) is real-time order across threads. Thread-safe.
 */
public final class History {

    public enum Kind { SUBMIT, CLAIM, COMPLETE, FAIL, RETRY, CANCEL }

    public enum Outcome { OK, FAILED, UNKNOWN }

    /**
     * One finished call. {@code taskId} is the task acted on (null for a claim; a batch submit is
     * recorded as one SUBMIT per member, with the batch's answer); {@code leaseId} the lease quoted
     * by a complete or fail; {@code claimed} the leases a successful claim handed out.
     */
    public record Op(String process, Kind kind, String taskId, String leaseId, long invoked, long returned,
            Outcome outcome, int status, List<BatonClient.Lease> claimed) {
    }

    /** A call in flight. */
    public final class Call {
        private final String process;
        private final Kind kind;
        private final String taskId;
        private final String leaseId;
        private final long invoked;

        private Call(String process, Kind kind, String taskId, String leaseId) {
            this.process = process;
            this.kind = kind;
            this.taskId = taskId;
            this.leaseId = leaseId;
            this.invoked = clock.incrementAndGet();
        }

        /** Records the answer: 2xx OK, 4xx FAILED, anything else UNKNOWN. */
        public Op answered(BatonClient.Reply reply) {
            Outcome outcome = reply.ok() ? Outcome.OK : reply.refused() ? Outcome.FAILED : Outcome.UNKNOWN;
            List<BatonClient.Lease> claimed = kind == Kind.CLAIM && reply.ok() ? BatonClient.leases(reply) : List.of();
            return record(outcome, reply.status(), claimed);
        }

        /** Records a call that got no answer. */
        public Op unanswered() {
            return record(Outcome.UNKNOWN, -1, List.of());
        }

        private Op record(Outcome outcome, int status, List<BatonClient.Lease> claimed) {
            Op op = new Op(process, kind, taskId, leaseId, invoked, clock.incrementAndGet(), outcome, status, claimed);
            synchronized (ops) {
                ops.add(op);
            }
            return op;
        }
    }

    private final AtomicLong clock = new AtomicLong();
    private final List<Op> ops = new ArrayList<>();

    public Call invoke(String process, Kind kind, String taskId, String leaseId) {
        return new Call(process, kind, taskId, leaseId);
    }

    /** How many calls returned so far. */
    public int size() {
        synchronized (ops) {
            return ops.size();
        }
    }

    /** The finished calls, in return order. */
    public List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }
}
