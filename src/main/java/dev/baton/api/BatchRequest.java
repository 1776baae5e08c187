package dev.baton.api;

import dev.baton.engine.BatchItem;
import dev.baton.engine.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /v1/tasks/batch}: tasks that may name each other's {@code ref}. */
public record BatchRequest(@Schema(required = true) List<SubmitTaskRequest> tasks) {

    List<BatchItem> toItems() {
        if (tasks == null) {
            throw new InvalidRequestException("tasks", "is required: a list of tasks");
        }
        List<BatchItem> items = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            SubmitTaskRequest member = tasks.get(i);
            if (member == null) {
                throw new InvalidRequestException("tasks[" + i + "]", "must be a task object");
            }
            try {
                items.add(member.toBatchItem());
            } catch (InvalidRequestException e) {
                throw e.under(member(i, member.ref()));
            }
        }
        return items;
    }

    /** How a refusal names the member at {@code index}: {@code tasks[2]} or {@code tasks[2](build)}. */
    static String member(int index, String ref) {
        return "tasks[" + index + "]" + (ref == null ? "" : "(" + ref + ")");
    }
}
