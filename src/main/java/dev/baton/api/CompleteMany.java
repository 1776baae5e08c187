package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.BatonException;
import dev.baton.engine.CompletionResult;
import dev.baton.engine.Coordinator;
import dev.baton.engine.Ids;
import dev.baton.engine.InvalidRequestException;
import dev.baton.engine.LeaseHolderCheck;
import dev.baton.engine.TooLargeException;
import dev.baton.store.Store;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code POST /v1/agents/{id}/complete}: an agent completes many of its tasks in one call. Each
 * item is checked as the single complete checks it and answered on its own: 200 with the task's
 * status and {@code duplicate}, or the refusal that complete alone would give (409
 * {@code lease_expired}, 404 {@code task_not_found}, ...) as the item's {@code code}. A malformed
 * item refuses the whole call (400 naming it) before anything changes. The answer comes once every
 * change the call made is durable: one wait for all of them.
 */
public final class CompleteMany {

    private CompleteMany() {
    }

    /** The body: the tasks to complete, at most {@code baton.max-batch}. */
    public record Request(@Schema(required = true) List<Item> tasks) {

        /** The items, each checked (400 naming {@code tasks[i].field}); 413 past {@code max}. */
        List<Checked> checked(int max) {
            if (tasks == null || tasks.isEmpty()) {
                throw new InvalidRequestException("tasks", "is required: a list of {task_id, lease_id, result}");
            }
            if (tasks.size() > max) {
                throw new TooLargeException("a call may complete at most " + max + " tasks, this one has " + tasks.size());
            }
            List<Checked> checked = new ArrayList<>(tasks.size());
            for (int i = 0; i < tasks.size(); i++) {
                Item item = tasks.get(i);
                try {
                    if (item == null) {
                        throw new InvalidRequestException(null, "must be an object {task_id, lease_id, result}");
                    }
                    checked.add(item.checked());
                } catch (InvalidRequestException e) {
                    throw e.under("tasks[" + i + "]");
                }
            }
            return checked;
        }
    }

    /** One task to complete: its id, the lease the claim gave, and the result (any JSON). */
    public record Item(@Schema(required = true) String taskId, @Schema(required = true) String leaseId,
            @Schema(ref = "AnyValue") RawJson result) {

        Checked checked() {
            String id = Ids.requireValid("task_id", taskId == null ? "" : taskId);
            String lease = LeaseRequests.requireLease(leaseId);
            return new Checked(id, lease, result == null ? null : result.checked("result"));
        }
    }

    /** An item as the engine takes it. */
    record Checked(String taskId, String leaseId, String result) {
    }

    /** The answer: one entry per item, in the order given. */
    public record Answers(@Schema(required = true) List<Answer> tasks) {
    }

    /**
     * One item's answer: {@code code} 200 with the task's {@code status} and {@code duplicate}, or
     * the status, {@code error} and {@code message} the single complete would have answered.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Answer(@Schema(required = true) String taskId,
            @Schema(required = true, description = "the HTTP status the single complete would answer") int code,
            @Schema(ref = "TaskStatus") String status, Boolean duplicate,
            @Schema(description = "the error code of a refused item") String error, String message) {

        static Answer of(String taskId, CompletionResult done) {
            return new Answer(taskId, 200, done.task().status().name(), done.duplicate(), null, null);
        }

        static Answer of(String taskId, Refusal refused) {
            return new Answer(taskId, refused.status(), null, null, refused.body().error(), refused.body().message());
        }
    }

    /**
     * Completes every item in order, each as its own engine call with {@code holder}'s check, and
     * answers once the last change is durable. The finished tasks among the ids the engine no
     * longer holds are read back first, so a repeat answers {@code duplicate} as it would alone.
     */
    static Uni<Answers> run(Coordinator coordinator, Store store, Clock clock, LeaseHolderCheck holder, List<Checked> items) {
        return store.retained().call(ids(items), () -> completeAll(coordinator, clock, holder, items))
                .flatMap(done -> store.durable(done.seq).replaceWith(done.all()));
    }

    /** The tasks the items name, once each. */
    static List<String> ids(List<Checked> items) {
        return items.stream().map(Checked::taskId).distinct().toList();
    }

    /** Every item's answer, and the seq to wait for. */
    record Done(Answer[] answers, long seq) {

        Answers all() {
            return new Answers(Arrays.asList(answers));
        }
    }

    /** Every item in one entry of the engine's lock (one hand-off to parked claims after all of them). */
    static Done completeAll(Coordinator coordinator, Clock clock, LeaseHolderCheck holder, List<Checked> items) {
        long now = clock.millis();
        return coordinator.together(now, () -> {
            Answer[] answers = new Answer[items.size()];
            long seq = 0;
            for (int i = 0; i < answers.length; i++) {
                Checked item = items.get(i);
                try {
                    CompletionResult done = coordinator.complete(item.taskId(), item.leaseId(), item.result(), now, holder);
                    seq = Math.max(seq, done.seq());
                    answers[i] = Answer.of(item.taskId(), done);
                } catch (BatonException | AuthFilter.Forbidden refused) {
                    answers[i] = Answer.of(item.taskId(), ErrorMapper.refusal(refused));
                }
            }
            return new Done(answers, seq);
        });
    }
}
