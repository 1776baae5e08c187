package dev.baton.client;

/** A task handed to an agent by a claim, with the lease that its heartbeat, complete and fail name. */
public record ClaimedTask(Task task, String leaseId) {

    public String id() {
        return task.id();
    }
}
