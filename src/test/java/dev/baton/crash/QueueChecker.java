package dev.baton.crash;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.baton.crash.History.Kind;
import dev.baton.crash.History.Op;
import dev.baton.crash.History.Outcome;

/**
 * Judges a {@link History} against the tasks Baton holds at the end, like Jepsen's total-queue
 * checker: what was acknowledged must be there, nothing may appear that nobody submitted, and
 * work may be handed out more than once (at-least-once) but that is counted.
 *
 * <ul>
 *   <li><b>lost</b>: an acknowledged submit whose task does not exist; an acknowledged complete
 *       whose task is not COMPLETED; an acknowledged cancel whose task is not CANCELLED; a task
 *       handed out by a claim invoked after its complete or cancel was acknowledged (the
 *       acknowledged end was forgotten, even if the drain completed it again); an acknowledged
 *       (non-retryable) fail whose task is not FAILED, unless a retry of it was invoked later; an
 *       acknowledged retry whose task is FAILED or gone, unless a fail of it was invoked later.</li>
 *   <li><b>unexpected</b>: a task that exists, was listed or was handed out, with no submit of its
 *       id ever invoked.</li>
 *   <li><b>duplicates</b>: tasks whose complete was sent under two or more leases: run twice,
 *       because a crash lost a claim or an unacknowledged complete. Allowed.</li>
 *   <li><b>redelivered</b>: tasks handed out by two or more claims (after a crash, or a retry). Allowed.</li>
 * </ul>
 * An unknown submit is resolved by the end state: it happened if the task exists.
 */
public final class QueueChecker {

    static final String COMPLETED = "COMPLETED";
    static final String CANCELLED = "CANCELLED";
    static final String FAILED = "FAILED";
    private static final int SHOWN_ANOMALIES = 10;

    private QueueChecker() {
    }

    /**
     * The verdict, with up to {@value #SHOWN_ANOMALIES} examples of what went wrong. {@code submitsUnknown}
     * counts ids whose every submit went unanswered; {@code unknownSubmitsApplied} those of them that exist.
     */
    public record Result(int calls, int unknownCalls, int submitsOk, int submitsUnknown, int unknownSubmitsApplied,
            int completesOk, int cancelsOk, int failsOk, int retriesOk, int lost, int unexpected, int duplicates, int redelivered, List<String> anomalies) {

        public boolean valid() {
            return lost == 0 && unexpected == 0;
        }

        public String summary() {
            return String.format("calls=%d (unknown %d), submits ok=%d unknown=%d (applied %d), completes ok=%d, "
                    + "cancels ok=%d, fails ok=%d, retries ok=%d, lost=%d, unexpected=%d, duplicates=%d, redelivered=%d",
                    calls, unknownCalls, submitsOk, submitsUnknown, unknownSubmitsApplied, completesOk, cancelsOk,
                    failsOk, retriesOk,
                    lost, unexpected, duplicates, redelivered);
        }
    }

    /**
     * @param ops         the history
     * @param finalStatus the status of every task read at the end by id; ids read with 404 are absent
     * @param listed      the ids Baton listed at the end
     */
    public static Result check(List<Op> ops, Map<String, String> finalStatus, Set<String> listed) {
        Set<String> submitInvoked = new HashSet<>();
        Set<String> submitOk = new TreeSet<>();
        Set<String> submitUnknown = new TreeSet<>();
        Map<String, Long> acknowledgedEnd = new HashMap<>();
        Map<String, String> acknowledgedEndKind = new HashMap<>();
        Map<String, Set<String>> completeLeases = new HashMap<>();
        Map<String, Integer> handedOut = new HashMap<>();
        List<String> lost = new ArrayList<>();
        int completesOk = 0;
        int cancelsOk = 0;

        for (Op op : ops) {
            switch (op.kind()) {
                case SUBMIT -> {
                    submitInvoked.add(op.taskId());
                    if (op.outcome() == Outcome.OK) {
                        submitOk.add(op.taskId());
                    } else if (op.outcome() == Outcome.UNKNOWN) {
                        submitUnknown.add(op.taskId());
                    }
                }
                case COMPLETE -> {
                    completeLeases.computeIfAbsent(op.taskId(), id -> new HashSet<>()).add(op.leaseId());
                    if (op.outcome() == Outcome.OK) {
                        completesOk++;
                        endAcknowledged(acknowledgedEnd, acknowledgedEndKind, op, COMPLETED);
                        expect(lost, op, finalStatus, COMPLETED);
                    }
                }
                case CANCEL -> {
                    if (op.outcome() == Outcome.OK) {
                        cancelsOk++;
                        endAcknowledged(acknowledgedEnd, acknowledgedEndKind, op, CANCELLED);
                        expect(lost, op, finalStatus, CANCELLED);
                    }
                }
                case FAIL -> {
                    if (op.outcome() == Outcome.OK && !invokedLater(ops, op, Kind.RETRY)) {
                        expect(lost, op, finalStatus, FAILED);
                    }
                }
                case RETRY -> {
                    String now = finalStatus.get(op.taskId());
                    if (op.outcome() == Outcome.OK && !invokedLater(ops, op, Kind.FAIL) && (now == null || now.equals(FAILED))) {
                        lost.add("acknowledged retry of " + op.taskId() + ", but the task is " + (now == null ? "gone" : now));
                    }
                }
                case CLAIM -> op.claimed().forEach(lease -> handedOut.merge(lease.taskId(), 1, Integer::sum));
            }
        }
        for (String id : submitOk) {
            if (!finalStatus.containsKey(id)) {
                lost.add("acknowledged submit of " + id + " is gone");
            }
        }
        for (Op op : ops) {
            if (op.kind() != Kind.CLAIM) {
                continue;
            }
            for (BatonClient.Lease lease : op.claimed()) {
                Long ended = acknowledgedEnd.get(lease.taskId());
                if (ended != null && op.invoked() > ended) {
                    lost.add(lease.taskId() + " was handed out again (claim by " + op.process() + ") after its "
                            + acknowledgedEndKind.get(lease.taskId()) + " was acknowledged");
                }
            }
        }

        Set<String> seen = new TreeSet<>(finalStatus.keySet());
        seen.addAll(listed);
        seen.addAll(handedOut.keySet());
        List<String> unexpected = seen.stream().filter(id -> !submitInvoked.contains(id))
                .map(id -> "task " + id + " was never submitted").toList();

        submitUnknown.removeAll(submitOk);
        int applied = (int) submitUnknown.stream().filter(finalStatus::containsKey).count();
        int duplicates = (int) completeLeases.values().stream().filter(leases -> leases.size() > 1).count();
        int redelivered = (int) handedOut.values().stream().filter(times -> times > 1).count();

        List<String> anomalies = new ArrayList<>(lost);
        anomalies.addAll(unexpected);
        int unknownCalls = (int) ops.stream().filter(op -> op.outcome() == Outcome.UNKNOWN).count();
        int failsOk = (int) ops.stream().filter(op -> op.kind() == Kind.FAIL && op.outcome() == Outcome.OK).count();
        int retriesOk = (int) ops.stream().filter(op -> op.kind() == Kind.RETRY && op.outcome() == Outcome.OK).count();
        return new Result(ops.size(), unknownCalls, submitOk.size(), submitUnknown.size(), applied, completesOk, cancelsOk,
                failsOk, retriesOk, lost.size(), unexpected.size(), duplicates, redelivered,
                List.copyOf(anomalies.subList(0, Math.min(SHOWN_ANOMALIES, anomalies.size()))));
    }

    /** Whether a {@code kind} call on the same task was invoked after {@code op} was. */
    private static boolean invokedLater(List<Op> ops, Op op, Kind kind) {
        return ops.stream().anyMatch(other -> other.kind() == kind && op.taskId().equals(other.taskId())
                && other.invoked() > op.invoked());
    }

    private static void endAcknowledged(Map<String, Long> at, Map<String, String> kind, Op op, String status) {
        if (at.merge(op.taskId(), op.returned(), Math::min) == op.returned()) {
            kind.put(op.taskId(), status);
        }
    }

    private static void expect(List<String> lost, Op op, Map<String, String> finalStatus, String status) {
        String actual = finalStatus.get(op.taskId());
        if (!status.equals(actual)) {
            lost.add("acknowledged " + op.kind().name().toLowerCase() + " of " + op.taskId() + " (" + op.process()
                    + "), but the task is " + (actual == null ? "gone" : actual));
        }
    }
}
