package dev.baton.engine;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TransitionsTest {

    /** The status diagram of docs/model.md, written out independently of the implementation. */
    private static final Map<TaskStatus, Set<TaskStatus>> DESIGN = Map.of(
            TaskStatus.WAITING, EnumSet.of(TaskStatus.PENDING, TaskStatus.SCHEDULED, TaskStatus.CANCELLED),
            TaskStatus.SCHEDULED, EnumSet.of(TaskStatus.PENDING, TaskStatus.CANCELLED),
            TaskStatus.PENDING, EnumSet.of(TaskStatus.ASSIGNED, TaskStatus.CANCELLED),
            TaskStatus.ASSIGNED, EnumSet.of(TaskStatus.IN_PROGRESS, TaskStatus.PENDING, TaskStatus.SCHEDULED,
                    TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED),
            TaskStatus.IN_PROGRESS, EnumSet.of(TaskStatus.PENDING, TaskStatus.SCHEDULED, TaskStatus.COMPLETED,
                    TaskStatus.FAILED, TaskStatus.CANCELLED),
            TaskStatus.COMPLETED, EnumSet.noneOf(TaskStatus.class),
            TaskStatus.FAILED, EnumSet.of(TaskStatus.PENDING),
            TaskStatus.CANCELLED, EnumSet.noneOf(TaskStatus.class));

    @Test
    void everyPairIsAllowedExactlyAsTheDesignSays() {
        for (TaskStatus from : TaskStatus.values()) {
            for (TaskStatus to : TaskStatus.values()) {
                boolean expected = DESIGN.get(from).contains(to);
                assertEquals(expected, Transitions.isAllowed(from, to), from + " -> " + to);
                if (!expected) {
                    IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                            () -> Transitions.check("t1", from, to));
                    assertEquals("illegal_transition", e.code());
                }
            }
        }
    }

    @Test
    void terminalStatusesAreExactlyTheThree() {
        assertEquals(EnumSet.of(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED),
                EnumSet.copyOf(java.util.Arrays.stream(TaskStatus.values()).filter(TaskStatus::isTerminal).toList()));
    }
}
