package dev.baton.store;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.AgentSpec;
import dev.baton.engine.AgentView;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The engine records the store writes as JSON with its own mapper: a native image needs them
 * registered for reflection, as Quarkus cannot see that use.
 */
@RegisterForReflection(targets = {TaskRecord.class, AgentRecord.class, TaskSpec.class, AgentSpec.class,
        AgentView.History.class, TaskEvent.class, StoreCodec.Batch.class})
final class StoreReflection {

    private StoreReflection() {
    }
}
