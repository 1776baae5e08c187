package dev.baton.engine;

import java.util.List;

/**
 * The answer to a batch, its members in the order they were given.
 *
 * @param seq the last event sequence number the batch produced (what durability waits for)
 */
public record BatchResult(List<Member> tasks, long seq) {

    /** @param created false when a member's id existed already with the same body */
    public record Member(String ref, String id, TaskStatus status, boolean created) {
    }
}
