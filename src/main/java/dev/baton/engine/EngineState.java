package dev.baton.engine;

import java.util.List;

/**
 * A consistent copy of everything the engine holds, taken under its lock: what a full checkpoint
 * writes, and what recovery hands back.
 *
 * @param tasks  live tasks, and finished ones still within retention
 * @param types  the task types' runtime settings
 * @param schedules the schedules (recurring tasks)
 * @param seq    the last event the copy includes
 * @param limits the key limits set at runtime
 */
public record EngineState(List<TaskRecord> tasks, List<AgentRecord> agents, List<TypeSettings> types,
        List<ScheduleRecord> schedules, long seq, List<LimitSettings> limits) {

    public EngineState {
        types = types == null ? List.of() : types;
        schedules = schedules == null ? List.of() : schedules;
        limits = limits == null ? List.of() : limits;
    }

    /** A state without schedules or runtime key limits. */
    public EngineState(List<TaskRecord> tasks, List<AgentRecord> agents, List<TypeSettings> types, long seq) {
        this(tasks, agents, types, List.of(), seq, List.of());
    }

    /** A state without runtime key limits. */
    public EngineState(List<TaskRecord> tasks, List<AgentRecord> agents, List<TypeSettings> types,
            List<ScheduleRecord> schedules, long seq) {
        this(tasks, agents, types, schedules, seq, List.of());
    }

    /** A state without schedules. */
    public EngineState(List<TaskRecord> tasks, List<AgentRecord> agents, List<TypeSettings> types, long seq,
            List<LimitSettings> limits) {
        this(tasks, agents, types, List.of(), seq, limits);
    }
}
