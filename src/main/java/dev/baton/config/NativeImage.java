package dev.baton.config;

import dev.baton.engine.AgentRecord;
import dev.baton.engine.AgentSpec;
import dev.baton.engine.AgentView;
import dev.baton.engine.EventType;
import dev.baton.engine.AdaptiveSettings;
import dev.baton.engine.LimitSettings;
import dev.baton.engine.Priority;
import dev.baton.engine.ScheduleRecord;
import dev.baton.engine.ScheduleRun;
import dev.baton.engine.ScheduleSpec;
import dev.baton.engine.ScheduleTemplate;
import dev.baton.engine.ScoreBreakdown;
import dev.baton.engine.TaskEvent;
import dev.baton.engine.TaskAttempt;
import dev.baton.engine.TaskRecord;
import dev.baton.engine.TaskSpec;
import dev.baton.engine.TaskStatus;
import dev.baton.engine.TypeSettings;
import dev.baton.events.WireEvent;
import dev.baton.store.Outbox;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Every reflection registration of the native image, in one place. Quarkus registers what REST
 * resources take and return; these are the classes Jackson maps where it cannot see: the store's
 * own mapper (store.StoreCodec: tasks, agents, journal entries) and the bodies the Vert.x routes
 * and filters write by hand. Named by string where the package arrows forbid a reference (the
 * store's package-private journal entry, the API's error body). The Lua scripts the store loads
 * (redis/*.lua) are included by {@code quarkus.native.resources.includes} in application.properties.
 * NativeImageTest fails when a class these mappers reach is missing here.
 */
@RegisterForReflection(
        targets = {TaskRecord.class, AgentRecord.class, TaskSpec.class, AgentSpec.class, AgentView.History.class,
                TaskEvent.class, TaskStatus.class, Priority.class, EventType.class, WireEvent.class, WireEvent.Notification.class,
                ScoreBreakdown.class, TypeSettings.class, Outbox.Delivery.class, TaskAttempt.class, TaskAttempt.Outcome.class,
                ScheduleRecord.class, ScheduleSpec.class, ScheduleSpec.CatchUp.class, ScheduleTemplate.class, ScheduleRun.class, LimitSettings.class,
                AdaptiveSettings.class},
        classNames = {"dev.baton.store.StoreCodec$Batch", "dev.baton.store.StoreCodec$Replayed", "dev.baton.api.ErrorBody"})
final class NativeImage {

    private NativeImage() {
    }
}
