package dev.baton.client;

/**
 * One item's answer to {@link BatonClient#completeMany}: {@code code} 200 with the task's
 * {@code status} and {@code duplicate}, or the refusal the single complete would have given
 * ({@code code} 409 with {@code error} {@code lease_expired}, 404 {@code task_not_found}, ...).
 */
public record Completed(String taskId, int code, TaskStatus status, Boolean duplicate, String error, String message) {

    /** Whether the task is completed (now, or by an earlier call with the same lease). */
    public boolean ok() {
        return code == 200;
    }

    /** A task to complete: its id, the lease its claim gave, and the result (any object, or null). */
    public record Item(String taskId, String leaseId, Object result) {

        public static Item of(ClaimedTask claimed, Object result) {
            return new Item(claimed.id(), claimed.leaseId(), result);
        }
    }
}
